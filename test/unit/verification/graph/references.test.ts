import { interpolationBodies, referencesInTemplate } from '../../../../verification/graph/references';

describe('references in synth interpolations', () => {
  it('finds a plain attribute reference', () => {
    expect(referencesInTemplate('${google_pubsub_topic.t.id}')).toEqual(['google_pubsub_topic.t.id']);
  });

  it('finds every reference in a template with literal text', () => {
    expect(referencesInTemplate('projects/${var.project}/topics/${google_pubsub_topic.t.name}')).toEqual([
      'var.project',
      'google_pubsub_topic.t.name',
    ]);
  });

  it('skips function names, string literals, each/count and escaped interpolations', () => {
    expect(referencesInTemplate('${lower(google_x.y.name)}')).toEqual(['google_x.y.name']);
    expect(referencesInTemplate('${"google_x.y"}')).toEqual([]);
    expect(referencesInTemplate('${each.value.name}-${count.index}')).toEqual([]);
    expect(referencesInTemplate('$${google_x.y.id}')).toEqual([]);
  });

  it('keeps index keys and hyphenated names (cross-stack remote state)', () => {
    expect(referencesInTemplate('${google_x.y["k.z"].id}')).toEqual(['google_x.y["k.z"].id']);
    expect(
      referencesInTemplate('${data.terraform_remote_state.cross-stack-reference-input-prod-a.outputs.cross-stack-output-x}'),
    ).toEqual(['data.terraform_remote_state.cross-stack-reference-input-prod-a.outputs.cross-stack-output-x']);
  });

  it('balances nested braces', () => {
    expect(interpolationBodies('a${ {k = google_x.y.id} }b')).toEqual([' {k = google_x.y.id} ']);
    expect(referencesInTemplate('${ {k = google_x.y.id} }')).toEqual(['google_x.y.id']);
  });
});
