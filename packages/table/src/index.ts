export { type TablePlace } from './errors';
export { type Cell, type Row, NUMBER_PATTERN, parseNumber, castCell } from './cells';
export {
  type TableFormat,
  type TableLayout,
  TABLE_FORMATS,
  detectTableFormat,
  tableLayoutOf,
} from './format';
export {
  type CsvColumns,
  type Table,
  type ReadTableOptions,
  parseCsvColumns,
  readCsvColumns,
  parseTable,
  readTable,
} from './read';
export { tableToCsv, csvRecords } from './write';
export {
  CsvTokenizer,
  CsvSyntaxError,
  recordFields,
  type CsvRecordHandler,
  type CsvTokenizerOptions,
} from './csv-tokenizer';
export {
  type ByteRange,
  readTextChunks,
  JsonLinesSplitter,
  JsonArrayScanner,
  JsonSyntaxError,
} from './text-stream';
export { csvRanges, readFirstCsvRecord } from './csv-ranges';
