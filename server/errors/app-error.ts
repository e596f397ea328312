/**
 * The one error type of the application. `name` is a stable machine code (the API's `error.code`),
 * `messageKey` a catalogue key rendered in the reader's language, `fields` maps a form field to the
 * catalogue key of its problem for validation errors.
 */
export class AppError extends Error {
  constructor(
    readonly name: string,
    readonly messageKey: string,
    readonly status: number,
    readonly params: Record<string, string | number> = {},
    readonly fields?: Record<string, string>,
  ) {
    super(messageKey);
  }
}

export const notFound = (): AppError => new AppError('notFound', 'errors.notFound', 404);
export const forbidden = (): AppError => new AppError('forbidden', 'errors.forbidden', 403);
export const unauthenticated = (): AppError => new AppError('unauthenticated', 'errors.unauthenticated', 401);
export const validationFailed = (fields: Record<string, string>): AppError =>
  new AppError('validation', 'errors.validation', 400, {}, fields);
