export class MotoUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MotoUnavailableError';
  }
}

/** A moto server that does not answer the copy request (another moto, not the project's wrapper). */
export class MotoNotCopyableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MotoNotCopyableError';
  }
}
