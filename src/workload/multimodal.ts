/**
 * Multimodal input of the workload spec (BLIS v0.6.1): text length, then for image,
 * audio and video a count followed by that many per-item lengths; one token list of
 * the total (at least 1 token). A modality is used only when both its length and
 * count distributions are given.
 */
import type { GoRand } from '../sim/rng.ts';
import { randomTokens } from './distribution.ts';
import { createLengthSampler, type LengthSampler } from './samplers.ts';
import type { ClientSpec, DistSpec } from './spec-schema.ts';

type MultimodalSpec = NonNullable<ClientSpec['multimodal']>;

export type MultimodalSampler = (rng: GoRand) => Int32Array;

export function createMultimodalSampler(mm: MultimodalSpec, where: string): MultimodalSampler {
  const text =
    mm.text_distribution.type === ''
      ? undefined
      : createLengthSampler(mm.text_distribution, `${where}.text_distribution`);
  const media: [LengthSampler, LengthSampler][] = [];
  const pairs: [string, DistSpec, DistSpec][] = [
    ['image', mm.image_distribution, mm.image_count_distribution],
    ['audio', mm.audio_distribution, mm.audio_count_distribution],
    ['video', mm.video_distribution, mm.video_count_distribution],
  ];
  for (const [name, lengthDist, countDist] of pairs) {
    if (lengthDist.type === '' || countDist.type === '') continue;
    media.push([
      createLengthSampler(countDist, `${where}.${name}_count_distribution`),
      createLengthSampler(lengthDist, `${where}.${name}_distribution`),
    ]);
  }
  return (rng) => {
    let total = text === undefined ? 0 : text(rng);
    for (const [count, length] of media) {
      const n = count(rng);
      for (let i = 0; i < n; i++) total += length(rng);
    }
    return randomTokens(rng, total === 0 ? 1 : total);
  };
}
