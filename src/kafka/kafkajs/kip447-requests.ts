/**
 * Requests kafkajs 2.2.4 does not speak, in the shape kafkajs' connections send: KIP-447's
 * TxnOffsetCommit v3 (offsets committed in a transaction, checked against the consumer group's
 * generation and member id) and OffsetFetch v7 (committed offsets with require_stable), and KIP-664's
 * DescribeProducers v0 (the open transactions on a partition) and ListTransactions v0 (the
 * transactional.id of a producer id). Field order follows Apache Kafka's message definitions
 * (clients/src/main/resources/common/message/<Name>Request.json and <Name>Response.json). Both are flexible versions: compact strings and arrays (length + 1 as an
 * unsigned varint) and a tagged-field buffer after every structure and after the request header,
 * which kafkajs writes in its non-flexible form (so the body starts with the header's empty buffer,
 * and a response body starts with the response header's).
 */
/* eslint-disable @typescript-eslint/no-require-imports */

/** The parts of kafkajs' Encoder and Decoder (src/protocol/encoder.js, decoder.js) used here. */
interface Encoder {
  writeInt16(value: number): Encoder;
  writeInt32(value: number): Encoder;
  writeInt64(value: string | number): Encoder;
  writeBoolean(value: boolean): Encoder;
  writeUVarInt(value: number): Encoder;
  writeUVarIntString(value: string | null): Encoder;
  writeEncoder(value: Encoder): Encoder;
}
interface Decoder {
  readInt16(): number;
  readInt32(): number;
  readInt64(): { toString(): string };
  readUVarInt(): number;
  readUVarIntString(): string | null;
  readTaggedFields(): unknown;
}
type EncoderClass = new () => Encoder;
type DecoderClass = new (buffer: Buffer) => Decoder;

const KafkajsEncoder = require('kafkajs/src/protocol/encoder') as EncoderClass;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder') as DecoderClass;
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error };

export const TXN_OFFSET_COMMIT_API_KEY = 28;
export const OFFSET_FETCH_API_KEY = 9;
export const TXN_OFFSET_COMMIT_VERSION = 3;
export const OFFSET_FETCH_VERSION = 7;
export const UNSTABLE_OFFSET_COMMIT = 88;
export const DESCRIBE_PRODUCERS_API_KEY = 61;
export const LIST_TRANSACTIONS_API_KEY = 66;

/** What kafkajs' connection pool sends: the request encoder and the response decoder. */
export interface ProtocolRequest<R> {
  request: { apiKey: number; apiVersion: number; apiName: string; encode(): Promise<Encoder> };
  response: { decode(rawData: Buffer): Promise<R>; parse(data: R): Promise<R> };
}

export interface GroupGeneration {
  generationId: number;
  memberId: string;
}

export interface TopicOffsets {
  topic: string;
  partitions: { partition: number; offset: string }[];
}

export interface TxnOffsetCommitV3 extends GroupGeneration {
  transactionalId: string;
  groupId: string;
  producerId: string | number;
  producerEpoch: number;
  topics: TopicOffsets[];
}

export interface PartitionError {
  topic: string;
  partition: number;
  errorCode: number;
}

export interface TxnOffsetCommitResponse {
  throttleTime: number;
  topics: { topic: string; partitions: { partition: number; errorCode: number }[] }[];
}

export interface FetchedOffset {
  partition: number;
  /** -1 when the group committed nothing for the partition. */
  offset: string;
  errorCode: number;
}

export interface OffsetFetchResponse {
  throttleTime: number;
  errorCode: number;
  topics: { topic: string; partitions: FetchedOffset[] }[];
}

/** A compact array: its length + 1, then the elements (null for a null array). */
function compactArray<T>(encoder: Encoder, items: T[] | null, write: (item: T) => void): void {
  encoder.writeUVarInt(items === null ? 0 : items.length + 1);
  for (const item of items ?? []) write(item);
}

function readCompactArray<T>(decoder: Decoder, read: () => T): T[] {
  const length = decoder.readUVarInt();
  return Array.from({ length: Math.max(0, length - 1) }, read);
}

function emptyTaggedFields(encoder: Encoder): void {
  encoder.writeUVarInt(0);
}

/** The topics array these requests share: each topic's name, then its partitions, each written whole by `writePartition` (a struct with its own tagged fields, or an int32). */
function writeTopicPartitions<P>(encoder: Encoder, topics: { topic: string; partitions: P[] }[], writePartition: (partition: P) => void): void {
  compactArray(encoder, topics, ({ topic, partitions }) => {
    encoder.writeUVarIntString(topic);
    compactArray(encoder, partitions, writePartition);
    emptyTaggedFields(encoder);
  });
}

/** The topics array of their responses; `readPartition` reads one partition's fields, not its tagged fields. */
function readTopicPartitions<P>(decoder: Decoder, readPartition: () => P): { topic: string; partitions: P[] }[] {
  return readCompactArray(decoder, () => {
    const topic = decoder.readUVarIntString() ?? '';
    const partitions = readCompactArray(decoder, () => {
      const partition = readPartition();
      decoder.readTaggedFields();
      return partition;
    });
    decoder.readTaggedFields();
    return { topic, partitions };
  });
}

export function txnOffsetCommitV3(request: TxnOffsetCommitV3): ProtocolRequest<TxnOffsetCommitResponse> {
  return {
    request: {
      apiKey: TXN_OFFSET_COMMIT_API_KEY,
      apiVersion: TXN_OFFSET_COMMIT_VERSION,
      apiName: 'TxnOffsetCommit',
      encode: async () => encodeTxnOffsetCommitV3(request),
    },
    response: { decode: async (rawData) => decodeTxnOffsetCommitV3(rawData), parse: async (data) => throwPartitionErrors(data, txnOffsetCommitErrors(data)) },
  };
}

export function encodeTxnOffsetCommitV3({ transactionalId, groupId, producerId, producerEpoch, generationId, memberId, topics }: TxnOffsetCommitV3): Encoder {
  const encoder = new KafkajsEncoder();
  emptyTaggedFields(encoder); // request header v2
  encoder.writeUVarIntString(transactionalId).writeUVarIntString(groupId).writeInt64(String(producerId)).writeInt16(producerEpoch);
  encoder.writeInt32(generationId).writeUVarIntString(memberId).writeUVarIntString(null); // group_instance_id: not a static member
  writeTopicPartitions(encoder, topics, ({ partition, offset }) => {
    // committed_leader_epoch -1 (unknown), committed_metadata null.
    encoder.writeInt32(partition).writeInt64(offset).writeInt32(-1).writeUVarIntString(null);
    emptyTaggedFields(encoder);
  });
  emptyTaggedFields(encoder);
  return encoder;
}

export function decodeTxnOffsetCommitV3(rawData: Buffer): TxnOffsetCommitResponse {
  const decoder = new KafkajsDecoder(rawData);
  decoder.readTaggedFields(); // response header v1
  const throttleTime = decoder.readInt32();
  const topics = readTopicPartitions(decoder, () => ({ partition: decoder.readInt32(), errorCode: decoder.readInt16() }));
  decoder.readTaggedFields();
  return { throttleTime, topics };
}

function txnOffsetCommitErrors(data: TxnOffsetCommitResponse): PartitionError[] {
  return data.topics.flatMap(({ topic, partitions }) => partitions.filter((p) => p.errorCode !== 0).map((p) => ({ topic, ...p })));
}

export function offsetFetchV7(groupId: string, topics: { topic: string; partitions: number[] }[]): ProtocolRequest<OffsetFetchResponse> {
  return {
    request: {
      apiKey: OFFSET_FETCH_API_KEY,
      apiVersion: OFFSET_FETCH_VERSION,
      apiName: 'OffsetFetch',
      encode: async () => encodeOffsetFetchV7(groupId, topics),
    },
    // Partition errors (UNSTABLE_OFFSET_COMMIT above all) are the caller's to handle; a group-level error is thrown.
    response: { decode: async (rawData) => decodeOffsetFetchV7(rawData), parse: async (data) => (data.errorCode === 0 ? data : Promise.reject(createErrorFromCode(data.errorCode))) },
  };
}

export function encodeOffsetFetchV7(groupId: string, topics: { topic: string; partitions: number[] }[]): Encoder {
  const encoder = new KafkajsEncoder();
  emptyTaggedFields(encoder); // request header v2
  encoder.writeUVarIntString(groupId);
  writeTopicPartitions(encoder, topics, (partition) => encoder.writeInt32(partition));
  encoder.writeBoolean(true); // require_stable
  emptyTaggedFields(encoder);
  return encoder;
}

export function decodeOffsetFetchV7(rawData: Buffer): OffsetFetchResponse {
  const decoder = new KafkajsDecoder(rawData);
  decoder.readTaggedFields(); // response header v1
  const throttleTime = decoder.readInt32();
  const topics = readTopicPartitions(decoder, () => {
    const partition = decoder.readInt32();
    const offset = decoder.readInt64().toString();
    decoder.readInt32(); // committed_leader_epoch
    decoder.readUVarIntString(); // metadata
    return { partition, offset, errorCode: decoder.readInt16() };
  });
  const errorCode = decoder.readInt16();
  decoder.readTaggedFields();
  return { throttleTime, errorCode, topics };
}

/** Throws kafkajs' own protocol error for the first failed partition, as its v0-v1 parser does. */
function throwPartitionErrors<R>(data: R, errors: PartitionError[]): Promise<R> {
  const first = errors[0];
  return first ? Promise.reject(createErrorFromCode(first.errorCode)) : Promise.resolve(data);
}

export interface ActiveProducer {
  producerId: string;
  producerEpoch: number;
  /** First offset of the producer's open transaction on the partition; -1 when none is open. */
  currentTxnStartOffset: string;
}

export interface DescribeProducersResponse {
  topics: { topic: string; partitions: { partition: number; errorCode: number; activeProducers: ActiveProducer[] }[] }[];
}

export function describeProducersV0(topic: string, partitions: number[]): ProtocolRequest<DescribeProducersResponse> {
  return {
    request: {
      apiKey: DESCRIBE_PRODUCERS_API_KEY,
      apiVersion: 0,
      apiName: 'DescribeProducers',
      encode: async () => {
        const encoder = new KafkajsEncoder();
        emptyTaggedFields(encoder); // request header v2
        writeTopicPartitions(encoder, [{ topic, partitions }], (partition) => encoder.writeInt32(partition));
        emptyTaggedFields(encoder);
        return encoder;
      },
    },
    response: { decode: async (rawData) => decodeDescribeProducersV0(rawData), parse: async (data) => data },
  };
}

export function decodeDescribeProducersV0(rawData: Buffer): DescribeProducersResponse {
  const decoder = new KafkajsDecoder(rawData);
  decoder.readTaggedFields(); // response header v1
  decoder.readInt32(); // throttle_time_ms
  const topics = readTopicPartitions(decoder, () => {
    const partition = decoder.readInt32();
    const errorCode = decoder.readInt16();
    decoder.readUVarIntString(); // error_message
    const activeProducers = readCompactArray(decoder, () => {
      const producerId = decoder.readInt64().toString();
      const producerEpoch = decoder.readInt32();
      decoder.readInt32(); // last_sequence
      decoder.readInt64(); // last_timestamp
      decoder.readInt32(); // coordinator_epoch
      const currentTxnStartOffset = decoder.readInt64().toString();
      decoder.readTaggedFields();
      return { producerId, producerEpoch, currentTxnStartOffset };
    });
    return { partition, errorCode, activeProducers };
  });
  decoder.readTaggedFields();
  return { topics };
}

export interface ListTransactionsResponse {
  errorCode: number;
  transactions: { transactionalId: string; producerId: string; state: string }[];
}

/**
 * The transactions a broker coordinates whose producer id is one of `producerIds` (every one when
 * empty), and with `olderThanMs` only those running longer than that (v1, Kafka 3.8 and later).
 */
export function listTransactions(producerIds: string[], olderThanMs?: number): ProtocolRequest<ListTransactionsResponse> {
  return {
    request: {
      apiKey: LIST_TRANSACTIONS_API_KEY,
      apiVersion: olderThanMs === undefined ? 0 : 1,
      apiName: 'ListTransactions',
      encode: async () => {
        const encoder = new KafkajsEncoder();
        emptyTaggedFields(encoder); // request header v2
        compactArray(encoder, [], () => undefined); // state_filters: every state
        compactArray(encoder, producerIds, (producerId) => encoder.writeInt64(producerId));
        if (olderThanMs !== undefined) encoder.writeInt64(olderThanMs); // duration_filter
        emptyTaggedFields(encoder);
        return encoder;
      },
    },
    response: {
      decode: async (rawData) => decodeListTransactionsV0(rawData),
      parse: async (data) => (data.errorCode === 0 ? data : Promise.reject(createErrorFromCode(data.errorCode))),
    },
  };
}

/** ListTransactions v0 and v1 answer alike. */
export function decodeListTransactionsV0(rawData: Buffer): ListTransactionsResponse {
  const decoder = new KafkajsDecoder(rawData);
  decoder.readTaggedFields(); // response header v1
  decoder.readInt32(); // throttle_time_ms
  const errorCode = decoder.readInt16();
  readCompactArray(decoder, () => decoder.readUVarIntString()); // unknown_state_filters
  const transactions = readCompactArray(decoder, () => {
    const transaction = { transactionalId: decoder.readUVarIntString() ?? '', producerId: decoder.readInt64().toString(), state: decoder.readUVarIntString() ?? '' };
    decoder.readTaggedFields();
    return transaction;
  });
  decoder.readTaggedFields();
  return { errorCode, transactions };
}
