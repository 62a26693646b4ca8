/** Base of the language's own value classes (timestamps, durations, versions, errors): never a map. */
export abstract class OpaqueValue {}
