/** Scenario (logical) ids ↔ the ids moto assigned, both ways, over any JSON value. */
export interface IdTranslation {
  /** Physical id for a logical one (unchanged when the scenario did not create it). */
  physical(logicalId: string): string;
  /** Scenario id for a moto id (unchanged when moto's id stands for no scenario id). */
  logical(physicalId: string): string;
  /** Deep copy of `value` with every logical id replaced by its physical id. */
  translate<T>(value: T): T;
  /** Deep copy of `value` with every physical id replaced by the scenario's: what output shows. */
  untranslate<T>(value: T): T;
}

export function idTranslation(ids: ReadonlyMap<string, string>): IdTranslation {
  const back = new Map([...ids].map(([logical, physical]) => [physical, logical]));
  const physical = (id: string) => ids.get(id) ?? id;
  const logical = (id: string) => back.get(id) ?? id;
  return {
    physical,
    logical,
    translate: replacer(ids.keys(), physical),
    untranslate: replacer(back.keys(), logical),
  };
}

function replacer(from: Iterable<string>, to: (id: string) => string): <T>(value: T) => T {
  const keys = [...from];
  // Longest first, so an id that is a prefix of another never wins.
  keys.sort((a, b) => b.length - a.length);
  const pattern = keys.length > 0 ? new RegExp(keys.map(escapeRegExp).join('|'), 'g') : null;
  return <T>(value: T): T =>
    pattern
      ? JSON.parse(JSON.stringify(value).replace(pattern, (m) => to(m)))
      : structuredClone(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
