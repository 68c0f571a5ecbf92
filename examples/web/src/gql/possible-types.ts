
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "DeviceAndAppManagementAssignmentTarget": [
      "AllDevicesAssignmentTarget",
      "AllLicensedUsersAssignmentTarget",
      "ConfigurationManagerCollectionAssignmentTarget",
      "ExclusionGroupAssignmentTarget",
      "GroupAssignmentTarget",
      "UnknownAssignmentTarget"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "DeviceAndAppManagementAssignmentTarget": [
      "AllDevicesAssignmentTarget",
      "AllLicensedUsersAssignmentTarget",
      "ConfigurationManagerCollectionAssignmentTarget",
      "ExclusionGroupAssignmentTarget",
      "GroupAssignmentTarget",
      "UnknownAssignmentTarget"
    ]
  }
};
      export default result;
    