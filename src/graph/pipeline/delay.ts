import { waitFor } from '../../coordination/local';
import { isCoordinationError } from '../../coordination/types';
import { abortedError } from '../errors';

/**
 * Waits `ms` (the retry waits), or rejects with an `aborted` GraphError when the signal fires first. The timer is
 * coordination's; only the error is the Graph layer's.
 */
export async function delay(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await waitFor(ms, signal);
  } catch (error) {
    throw isCoordinationError(error) && error.failure === 'aborted' ? abortedError() : error;
  }
}
