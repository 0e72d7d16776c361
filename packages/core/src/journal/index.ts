export type { ActionJournal, JournalEntry, NewJournalEntry } from './actionJournal';
export { MemoryActionJournal } from './memoryActionJournal';
