// What Deploy Forecast Service hands `modal deploy`: modal_app.py reads the service's config from
// PSYCHOHISTORY_SERVE (split on whitespace into --key=value flags, training/modal_app.py serve_config)
// and its GPU from PSYCHOHISTORY_SERVE_GPU, both at deploy time. Pure, so a test pins the format.
export function serviceDeployEnv(o: { baseModel: string; adapter: string; gpu: string }): Record<string, string> {
  for (const [what, v] of [
    ['base model', o.baseModel],
    ['adapter path', o.adapter],
    ['GPU', o.gpu],
  ] as const) {
    if (/\s/.test(v))
      throw new Error(
        `The ${what} "${v}" has a space: PSYCHOHISTORY_SERVE is split on whitespace. Use a path without spaces.`,
      );
  }
  if (!o.baseModel) throw new Error('A base model is needed (psychohistory.baseModel).');
  const spec = [`--base_model=${o.baseModel}`, ...(o.adapter ? [`--adapter=${o.adapter}`] : [])].join(' ');
  return { PSYCHOHISTORY_SERVE: spec, PSYCHOHISTORY_SERVE_GPU: o.gpu };
}
