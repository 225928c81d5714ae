import { EVENT_MARKER_TAG_KEY, OWNER_TAG_KEY } from '../../lib/shared/contract';
import { keyKindOfArn } from '../../lib/shared/key-kinds';
import type { IvsKeySummary } from './ivs-apis/key-session';
import { STALE_MARGIN_MS } from './stale-event';

/**
 * The second guard against late and repeated deliveries (see stale-event.ts): every key pair the
 * handler imports or re-tags records when CloudFormation signed the event that did it. CloudFormation
 * sends one resource's events one after another, so when a key pair of this resource records a
 * later event than the one running, that one was superseded (a repeated key change after its
 * rollback, a rollback Delete after the resource was created anew): it changes nothing and gets
 * no answer. Equal times, a missing marker or an unknown signing time cannot decide: the event goes on.
 */
export class SupersededEventError extends Error {
  constructor(
    readonly keyPairArn: string,
    readonly markedAt: string,
  ) {
    super(
      `superseded: ${keyKindOfArn(keyPairArn)?.shortNoun ?? 'key'} ${keyPairArn} of this resource was last changed by an event CloudFormation sent ` +
        `at ${markedAt}, after this one`,
    );
    this.name = 'SupersededEventError';
  }
}

/** The marker's value for an event signed at `signedAtMs`: `YYYYMMDDTHHMMSSZ`, like X-Amz-Date. */
export function eventMarker(signedAtMs: number): string {
  return new Date(signedAtMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * Throws `SupersededEventError` when `keyPair` carries one of `ownerTagValues` and a marker later
 * than `signedAtMs`. A marker later than the function's own clock (`nowMs`, plus the margin the
 * stale guard allows for skew) cannot come from an event CloudFormation sent: someone edited it,
 * and it is ignored, or it would make every later event look superseded.
 */
export function checkNotSuperseded(
  keyPair: IvsKeySummary,
  ownerTagValues: readonly string[],
  signedAtMs: number | undefined,
  nowMs: number,
): void {
  const marker = keyPair.tags[EVENT_MARKER_TAG_KEY];
  if (signedAtMs === undefined || marker === undefined || !ownerTagValues.includes(keyPair.tags[OWNER_TAG_KEY])) return;
  if (!/^\d{8}T\d{6}Z$/.test(marker) || marker > eventMarker(nowMs + STALE_MARGIN_MS)) return;
  if (marker > eventMarker(signedAtMs)) throw new SupersededEventError(keyPair.arn, marker);
}
