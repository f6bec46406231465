/** The queue submitters and workers use unless told otherwise. */
export const DEFAULT_QUEUE = 'crystallize';
/** BullMQ's own default key prefix. */
export const DEFAULT_PREFIX = 'bull';
