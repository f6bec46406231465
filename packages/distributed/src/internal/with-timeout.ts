/** `p`, or the error `what()` when it has not settled within `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(what()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
