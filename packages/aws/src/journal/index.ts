export { DynamoActionJournal, journalPartition } from './dynamoActionJournal';
