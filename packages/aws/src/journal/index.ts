export type { ActionJournal, JournalEntry, NewJournalEntry } from './actionJournal';
export { DynamoActionJournal, journalPartition } from './dynamoActionJournal';
export { MemoryActionJournal } from './memoryActionJournal';
