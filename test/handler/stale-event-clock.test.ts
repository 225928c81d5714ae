/**
 * The first guard against late deliveries (lambda/ivs-key-handler/stale-event.ts): what
 * it reads from an event, and where it draws the line.
 */
import {
  eventClock,
  msUntilAnswerDue,
  retryCanStillAnswer,
  STALE_MARGIN_MS,
  staleReason,
} from '../../lambda/ivs-key-handler/stale-event';

const SIGNED_AT = Date.UTC(2026, 11, 2, 17, 0, 0);
const sigv4 = (amzDate = '20261202T170000Z') =>
  `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${amzDate}&X-Amz-Expires=7200&X-Amz-Signature=s`;
const sigv2 = `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?AWSAccessKeyId=AKID&Expires=${SIGNED_AT / 1000 + 7200}&Signature=s`;

test('reads the signing time of both URL forms and the ServiceTimeout property', () => {
  expect(eventClock({ ResponseURL: sigv4(), ResourceProperties: { ServiceTimeout: '360' } })).toEqual({
    signedAtMs: SIGNED_AT,
    answerDueMs: SIGNED_AT + 360_000,
  });
  expect(eventClock({ ResponseURL: sigv2, ResourceProperties: { ServiceTimeout: '360' } })).toEqual({
    signedAtMs: SIGNED_AT,
    answerDueMs: SIGNED_AT + 360_000,
  });
});

test('without a ServiceTimeout CloudFormation waits an hour', () => {
  expect(eventClock({ ResponseURL: sigv4(), ResourceProperties: {} }).answerDueMs).toBe(SIGNED_AT + 3_600_000);
  expect(eventClock({ ResponseURL: sigv4(), ResourceProperties: { ServiceTimeout: 'soon' } }).answerDueMs).toBe(
    SIGNED_AT + 3_600_000,
  );
});

test.each([
  ['no query', 'https://example.com/x'],
  ['a malformed X-Amz-Date', sigv4('2026-12-02T17:00:00Z')],
  ['not a URL', 'not a url'],
  ['nothing', undefined],
])('%s: cannot decide, so never stale', (_, url) => {
  const clock = eventClock({ ResponseURL: url, ResourceProperties: { ServiceTimeout: '1' } });
  expect(clock).toEqual({});
  expect(staleReason(clock, Date.now() + 10 * 3_600_000)).toBeUndefined();
  expect(retryCanStillAnswer(clock, Date.now())).toBe(true);
  expect(msUntilAnswerDue(clock, Date.now())).toBe(Infinity);
});

test(`stale from ${STALE_MARGIN_MS / 1000} s before CloudFormation stops waiting`, () => {
  const clock = eventClock({ ResponseURL: sigv4(), ResourceProperties: { ServiceTimeout: '360' } });
  expect(staleReason(clock, SIGNED_AT + 360_000 - STALE_MARGIN_MS)).toBeUndefined();
  expect(staleReason(clock, SIGNED_AT + 360_000 - STALE_MARGIN_MS + 1)).toMatch(
    /^ignored: CloudFormation sent this event 355 s ago/,
  );
});

test('a retry, a minute later at the earliest, is worth throwing for only while it can still answer', () => {
  const clock = eventClock({ ResponseURL: sigv4(), ResourceProperties: { ServiceTimeout: '360' } });
  expect(retryCanStillAnswer(clock, SIGNED_AT + 200_000)).toBe(true);
  expect(retryCanStillAnswer(clock, SIGNED_AT + 300_000)).toBe(false);
  expect(msUntilAnswerDue(clock, SIGNED_AT + 300_000)).toBe(55_000);
});
