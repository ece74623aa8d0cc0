// Reads a TensorBoard events file the way TensorBoard does, with code that shares nothing with
// MNIST Studio's writer: the TFRecord framing and both masked CRC-32Cs of every record checked with
// @aws-crypto/crc32c, each record decoded as an Event by protobufjs from core/formats/tensorboard.proto
// (the .proto the writer's C++ classes are generated from: its field numbers are TensorBoard's, and
// decoding with protobufjs rather than those classes still checks the bytes), the HParams plugin's
// content decoded in turn. Prints what it found as JSON:
//   {"records", "file_version", "scalars": [{"tag", "step", "value", "wall_time"}],
//    "hparams": {name: value}, "hparam_infos": [{"name", "type"}], "hparams_metrics": [tag],
//    "hparams_metric_groups": [group], "hparams_records": [{"tag", "step", "version", "data",
//    "tensor"}], "experiment_time_created", "session_start_time", "session_end_status",
//    "session_end_time", "other_values"}
// Usage: node read_tfevents.cjs EVENTS_FILE [PACKAGES_DIR]
// PACKAGES_DIR holds node_modules with protobufjs and @aws-crypto/crc32c (default:
// third_party/tfevents-reader, put there by scripts/fetch-node-tools.sh). Exits 1 with a message
// on a bad CRC, a truncated record or a record that does not decode; 2 on a usage error.
'use strict';
const fs = require('fs');
const path = require('path');

function usage(message) {
  process.stderr.write(`read_tfevents: ${message}\nusage: node read_tfevents.cjs EVENTS_FILE [PACKAGES_DIR]\n`);
  process.exit(2);
}

const [file, packagesArg] = process.argv.slice(2);
if (!file) usage('no events file given');
const packagesDir = path.resolve(packagesArg || path.join(__dirname, '..', '..', 'third_party', 'tfevents-reader'));
let protobuf, crc32c;
try {
  protobuf = require(path.join(packagesDir, 'node_modules', 'protobufjs'));
  ({crc32c} = require(path.join(packagesDir, 'node_modules', '@aws-crypto', 'crc32c')));
} catch (e) {
  usage(`protobufjs or @aws-crypto/crc32c missing under ${packagesDir} (run scripts/fetch-node-tools.sh): ${e.message}`);
}

function fail(message) {
  process.stderr.write(`read_tfevents: ${file}: ${message}\n`);
  process.exit(1);
}

// TFRecord's masked CRC: rotate right by 15 bits, add a constant, all modulo 2^32.
function maskedCrc(bytes) {
  const crc = crc32c(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

// protobufjs gives int64 values as strings here; plain numbers where exact.
function int64(value) {
  if (value === undefined || value === null) return 0;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

// A google.protobuf.Value as the plain JSON value it stands for.
function plainValue(v) {
  switch (v.kind) {
    case 'numberValue': return v.numberValue;
    case 'stringValue': return v.stringValue;
    case 'boolValue': return v.boolValue;
    case 'nullValue': return null;
    case 'listValue': return (v.listValue.values || []).map(plainValue);
    case 'structValue': {
      const out = {};
      for (const [k, x] of Object.entries(v.structValue.fields || {})) out[k] = plainValue(x);
      return out;
    }
    default: fail(`a google.protobuf.Value with no kind set: ${JSON.stringify(v)}`);
  }
}

const protoFile = path.join(__dirname, '..', '..', 'core', 'formats', 'tensorboard.proto');
const root = new protobuf.Root().loadSync(protoFile, {keepCase: true});
const Event = root.lookupType('mnist.tensorboard.Event');
const HParamsPluginData = root.lookupType('mnist.tensorboard.HParamsPluginData');
const toObjectOptions = {longs: String, enums: String, bytes: Buffer, oneofs: true, arrays: true, objects: true};

let buffer;
try {
  buffer = fs.readFileSync(file);
} catch (e) {
  fail(`cannot read: ${e.message}`);
}

const result = {
  records: 0, file_version: null, scalars: [], hparams: null, hparam_infos: null, hparams_metrics: null,
  hparams_metric_groups: null, hparams_records: [], experiment_time_created: null, session_start_time: null,
  session_end_status: null, session_end_time: null, other_values: 0,
};

let offset = 0;
while (offset < buffer.length) {
  const where = `record ${result.records} (byte ${offset})`;
  if (buffer.length - offset < 12) fail(`truncated ${where}: ${buffer.length - offset} bytes left, a header takes 12`);
  const lengthBytes = buffer.subarray(offset, offset + 8);
  const length = buffer.readBigUInt64LE(offset);
  if (buffer.readUInt32LE(offset + 8) !== maskedCrc(lengthBytes)) fail(`bad length CRC in ${where}`);
  const left = BigInt(buffer.length - offset - 12);
  if (length + 4n > left) fail(`truncated ${where}: ${length} data bytes announced, ${left} bytes left with the CRC`);
  const start = offset + 12;
  const data = buffer.subarray(start, start + Number(length));
  if (buffer.readUInt32LE(start + data.length) !== maskedCrc(data)) fail(`bad data CRC in ${where}`);
  offset = start + data.length + 4;

  let event;
  try {
    event = Event.toObject(Event.decode(data), toObjectOptions);
  } catch (e) {
    fail(`${where} is not an Event: ${e.message}`);
  }
  if (result.records === 0 && event.what !== 'file_version') fail(`the first record is not the file_version event`);
  result.records++;
  const wallTime = event.wall_time || 0;
  const step = int64(event.step);
  if (event.what === 'file_version') {
    result.file_version = event.file_version;
    continue;
  }
  if (event.what !== 'summary') {
    result.other_values++;
    continue;
  }
  for (const value of event.summary.value) {
    const plugin = value.metadata && value.metadata.plugin_data ? value.metadata.plugin_data.plugin_name : '';
    if (value.value === 'simple_value') {
      result.scalars.push({tag: value.tag || '', step, value: value.simple_value, wall_time: wallTime});
      continue;
    }
    if (plugin !== 'hparams') {
      result.other_values++;
      continue;
    }
    let content;
    try {
      content = HParamsPluginData.toObject(HParamsPluginData.decode(value.metadata.plugin_data.content), toObjectOptions);
    } catch (e) {
      fail(`${where}: the hparams content of "${value.tag}" is not an HParamsPluginData: ${e.message}`);
    }
    const tensor = value.value === 'tensor'
      ? {dtype: value.tensor.dtype || 'DT_INVALID', shape: ((value.tensor.tensor_shape || {}).dim || []).map(d => int64(d.size))}
      : null;
    result.hparams_records.push({tag: value.tag || '', step, version: content.version || 0, data: content.data || null, tensor});
    if (content.data === 'experiment') {
      const experiment = content.experiment;
      result.experiment_time_created = experiment.time_created_secs || 0;
      result.hparam_infos = experiment.hparam_infos.map(h => ({name: h.name || '', type: h.type || 'DATA_TYPE_UNSET'}));
      // proto3 leaves empty strings out: absent is "".
      result.hparams_metrics = experiment.metric_infos.map(m => (m.name && m.name.tag) || '');
      result.hparams_metric_groups = experiment.metric_infos.map(m => (m.name && m.name.group) || '');
    } else if (content.data === 'session_start_info') {
      const start = content.session_start_info;
      result.hparams = {};
      for (const [name, v] of Object.entries(start.hparams)) result.hparams[name] = plainValue(v);
      result.session_start_time = start.start_time_secs || 0;
    } else if (content.data === 'session_end_info') {
      result.session_end_status = content.session_end_info.status || 'STATUS_UNKNOWN';
      result.session_end_time = content.session_end_info.end_time_secs || 0;
    }
  }
}
if (result.records === 0) fail('no records');
process.stdout.write(JSON.stringify(result) + '\n');
