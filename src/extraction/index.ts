export {
  type EntryRegistry,
  type Extracted,
  type ExtractionNodes,
  ExtractionService,
  type ExtractionServiceOptions,
  type ExtractRequest,
} from './extraction.service.js';
export { type Lease, LeaseBook, type LeaseBookOptions, type LeaseCloser, type WhiteIpSource } from './lease-book.js';
