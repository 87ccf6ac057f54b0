// Errors a user can act on. Backends throw `JobError`; the VS Code shell turns `action` into a
// button ("Deploy Modal App", "Set Modal Token") and the CLI into a hint line.
export type JobErrorKind = 'app-not-deployed' | 'auth' | 'quota' | 'invalid-dataset' | 'not-found' | 'unknown';

export type JobAction = 'deployModalApp' | 'setModalToken';

export class JobError extends Error {
  constructor(
    message: string,
    readonly kind: JobErrorKind,
    readonly action?: JobAction,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

/** gRPC status codes the classifier looks at (numbers, so we need not import nice-grpc). */
const GRPC = { NOT_FOUND: 5, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, UNAUTHENTICATED: 16 } as const;

function grpcCode(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'number') return err.code;
  return undefined;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Map what the Modal SDK throws to a way out. `where` says what we were doing, so a NOT_FOUND while
 * looking up the function means "the app is not deployed", not "your run vanished".
 */
export function classifyModalError(
  err: unknown,
  where: 'lookup' | 'spawn' | 'follow' | 'cancel',
  appName = 'psychohistory',
): JobError {
  if (err instanceof JobError) return err;
  const message = messageOf(err);
  const code = grpcCode(err);
  if (
    code === GRPC.UNAUTHENTICATED ||
    code === GRPC.PERMISSION_DENIED ||
    /missing credentials|token.*(invalid|denied|expired)|unauthenticated/i.test(message)
  ) {
    return new JobError(`Modal rejected the credentials: ${message}`, 'auth', 'setModalToken');
  }
  if (
    code === GRPC.RESOURCE_EXHAUSTED ||
    errorName(err) === 'ResourceExhaustedError' ||
    /quota|gpu.*(unavailable|capacity)|no capacity/i.test(message)
  ) {
    return new JobError(`Modal has no capacity for this run (quota or GPU unavailable): ${message}`, 'quota');
  }
  if (errorName(err) === 'NotFoundError' || code === GRPC.NOT_FOUND) {
    if (where === 'lookup' || where === 'spawn') {
      return new JobError(
        `The Modal app "${appName}" is not deployed (${message}). Deploy it, then launch again.`,
        'app-not-deployed',
        'deployModalApp',
      );
    }
    return new JobError(message, 'not-found');
  }
  return new JobError(message, 'unknown');
}
