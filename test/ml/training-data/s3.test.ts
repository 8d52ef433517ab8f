/** The S3 target's URI rules (the uploads themselves run against a real S3 server in it/ml/kfp/training-data-s3.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseS3Uri, S3Uploader } from '../../../src/ml/training-data/s3.ts';

test('s3:// URIs: bucket and key prefix (ending in /), anything else refused', () => {
  assert.deepEqual(parseS3Uri('s3://riffle-training'), { bucket: 'riffle-training', prefix: '' });
  assert.deepEqual(parseS3Uri('s3://riffle-training/'), { bucket: 'riffle-training', prefix: '' });
  assert.deepEqual(parseS3Uri('s3://riffle.training/a/b'), { bucket: 'riffle.training', prefix: 'a/b/' });
  assert.deepEqual(parseS3Uri('s3://bkt/a/b/'), { bucket: 'bkt', prefix: 'a/b/' });
  for (const bad of ['s3://Bad_Bucket/x', 's3://ab/x', 'http://bucket/x', '/data/x', 's3:///x']) assert.equal(parseS3Uri(bad), null, bad);
  const u = new S3Uploader({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'bkt', prefix: 'a/b/', accessKeyId: 'k', secretAccessKey: 's' });
  assert.equal(u.uriOf('f-000001.manifest.json'), 's3://bkt/a/b/f-000001.manifest.json');
});
