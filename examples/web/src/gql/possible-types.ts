
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "BulkAssignmentEditResult": [
      "EditEmbeddedSIMActivationCodePoolAssignmentsPayload",
      "PoolEditError"
    ],
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
    "BulkAssignmentEditResult": [
      "EditEmbeddedSIMActivationCodePoolAssignmentsPayload",
      "PoolEditError"
    ],
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
    