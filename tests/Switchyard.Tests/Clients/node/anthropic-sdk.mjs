// The official Anthropic TypeScript SDK against a Switchyard gateway (driven by NodeSdkTests): messages.create, a
// streamed tool round (messages.stream with tools, then the tool result), the beta client (?beta=true and anthropic-beta),
// countTokens, models.list, and a failing alias whose error must surface as the SDK's typed error. Prints one JSON line.
import Anthropic from '@anthropic-ai/sdk';

const baseURL = process.env.SWITCHYARD_BASE_URL.replace(/\/v1$/, '');
const model = process.env.SWITCHYARD_MODEL;
const failing = (process.env.SWITCHYARD_FAILING_MODELS ?? '').split(',').filter(Boolean);
const client = new Anthropic({ baseURL, apiKey: process.env.SWITCHYARD_KEY, maxRetries: 0 });
const out = {};

async function step(name, fn) {
  try {
    out[name] = await fn();
  } catch (e) {
    out[name] = { error: String(e?.stack ?? e) };
  }
}

await step('create', async () => {
  const m = await client.messages.create({ model, max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] });
  return { type: m.type, role: m.role, stop: m.stop_reason, text: m.content.filter(b => b.type === 'text').map(b => b.text).join(''), inputTokens: m.usage.input_tokens };
});

const tools = [{
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}];
await step('toolLoop', async () => {
  const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
  const events = new Set();
  const stream = client.messages.stream({ model, max_tokens: 256, tools, messages });
  stream.on('streamEvent', e => events.add(e.type));
  const first = await stream.finalMessage();
  const call = first.content.find(b => b.type === 'tool_use');
  if (!call) return { firstStop: first.stop_reason, events: [...events] };
  messages.push({ role: 'assistant', content: first.content });
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '21 celsius' }] });
  const second = await client.messages.stream({ model, max_tokens: 256, tools, messages }).finalMessage();
  return {
    firstStop: first.stop_reason,
    toolName: call.name,
    toolInputType: typeof call.input,
    events: [...events].sort(),
    secondStop: second.stop_reason,
    text: second.content.filter(b => b.type === 'text').map(b => b.text).join(''),
    outputTokens: second.usage.output_tokens,
  };
});

await step('beta', async () => {
  const m = await client.beta.messages.create({
    model, max_tokens: 64, betas: ['context-management-2025-06-27'],
    messages: [{ role: 'user', content: 'ping' }],
  });
  return { type: m.type, text: m.content.filter(b => b.type === 'text').map(b => b.text).join('') };
});

await step('countTokens', async () => {
  const c = await client.messages.countTokens({ model, messages: [{ role: 'user', content: 'ping' }] });
  return { inputTokens: c.input_tokens };
});

await step('models', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push({ id: m.id, type: m.type, displayName: m.display_name });
  return ids;
});

for (const name of failing) await step('failure:' + name, async () => {
  try {
    await client.messages.create({ model: name, max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] });
    return { raised: false };
  } catch (e) {
    return {
      raised: true,
      isApiError: e instanceof Anthropic.APIError,
      className: e.constructor.name,
      status: e.status,
      errorType: e.error?.error?.type ?? null,
      bodyType: e.error?.type ?? null,
      retryAfter: e.headers?.get?.('retry-after') ?? null,
    };
  }
});

console.log(JSON.stringify(out));
