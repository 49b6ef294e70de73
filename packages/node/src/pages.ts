/** A page of a cursor-paged list, as the API answers it. */
export interface CursorPage<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Every item of a cursor-paged list, fetching pages as the loop asks for them: `for await (const
 * write of forcelink.writes.iterate(connectionId))`. Stopping the loop stops the fetching.
 */
export async function* paginate<T>(page: (cursor: string | undefined) => Promise<CursorPage<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    yield* answer.data;
    cursor = answer.nextCursor ?? undefined;
  } while (cursor);
}
