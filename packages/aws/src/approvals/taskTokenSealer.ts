import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { TaskCompletionError } from '@tourniquet/core';

/**
 * Keeps a task token readable only by whoever holds the key: request-approval seals it, the
 * decision functions open it, and everything else that reads the approvals table (escalation,
 * operators, backups, exports) sees ciphertext. A task token is a capability: SendTaskSuccess
 * needs nothing else (states:SendTask* have no resource-level permissions).
 */
export interface TaskTokenSealer {
  seal(taskToken: string, approvalId: string): Promise<string>;
  open(sealed: string, approvalId: string): Promise<string>;
}

/** Local runs and tests without a key: the token is stored as given. */
export const plainTaskTokens: TaskTokenSealer = {
  seal: async (taskToken) => taskToken,
  open: async (sealed) => sealed,
};

const SEALED_PREFIX = 'kms:';

/**
 * Tokens sealed with a KMS key whose policy lets request-approval encrypt and only the decision
 * functions decrypt. The approval id is the encryption context, so a ciphertext copied onto
 * another approval does not open. Tokens stored before sealing existed are returned as they are.
 */
export class KmsTaskTokenSealer implements TaskTokenSealer {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async seal(taskToken: string, approvalId: string): Promise<string> {
    const { CiphertextBlob } = await this.kms.send(
      new EncryptCommand({
        KeyId: this.keyId,
        Plaintext: Buffer.from(taskToken, 'utf8'),
        EncryptionContext: { approvalId },
      }),
    );
    if (!CiphertextBlob) throw new Error('KMS returned no ciphertext for the task token');
    return SEALED_PREFIX + Buffer.from(CiphertextBlob).toString('base64');
  }

  async open(sealed: string, approvalId: string): Promise<string> {
    if (!sealed.startsWith(SEALED_PREFIX)) return sealed;
    try {
      const { Plaintext } = await this.kms.send(
        new DecryptCommand({
          CiphertextBlob: Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64'),
          KeyId: this.keyId,
          EncryptionContext: { approvalId },
        }),
      );
      return Buffer.from(Plaintext ?? new Uint8Array()).toString('utf8');
    } catch (error) {
      throw new TaskCompletionError(
        `the task token could not be unsealed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
