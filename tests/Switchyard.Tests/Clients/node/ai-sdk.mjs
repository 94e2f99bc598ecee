// The Vercel AI SDK (ai 6 with @ai-sdk/openai, which calls POST /v1/responses, and @ai-sdk/anthropic, which calls
// POST /v1/messages) against a gateway serving SWITCHYARD_MODEL from the offline mock provider: text, a stream, a tool
// loop and a structured object, in both protocols. Prints one JSON line with what each call produced.
// Driven by NodeSdkTests: SWITCHYARD_BASE_URL (…/v1), SWITCHYARD_KEY, SWITCHYARD_MODEL.
import { generateText, streamText, generateObject, tool, stepCountIs } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { z } from 'zod';

globalThis.AI_SDK_LOG_WARNINGS = false;
const options = { baseURL: process.env.SWITCHYARD_BASE_URL, apiKey: process.env.SWITCHYARD_KEY };
const model = process.env.SWITCHYARD_MODEL;
const weather = tool({
  description: 'Current weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

async function run(provider) {
  const text = await generateText({ model: provider(model), prompt: 'ping', maxOutputTokens: 64 });
  const stream = streamText({ model: provider(model), prompt: 'ping', maxOutputTokens: 64 });
  let streamed = '';
  for await (const piece of stream.textStream) streamed += piece;
  const loop = await generateText({
    model: provider(model), prompt: 'Weather in Paris?', tools: { weather }, stopWhen: stepCountIs(4), maxOutputTokens: 64,
  });
  const object = await generateObject({
    model: provider(model), schema: z.object({ name: z.string(), age: z.number() }), prompt: 'a person', maxOutputTokens: 64,
  });
  return {
    text: text.text,
    inputTokens: text.usage.inputTokens,
    streamed,
    streamedOutputTokens: (await stream.usage).outputTokens,
    loopFinishReasons: loop.steps.map(s => s.finishReason),
    loopText: loop.text,
    object: object.object,
  };
}

const result = {};
for (const [name, provider] of [['responses', createOpenAI(options)], ['messages', createAnthropic(options)]]) {
  try {
    result[name] = await run(provider);
  } catch (e) {
    result[name] = { error: e?.constructor?.name ?? typeof e, message: String(e?.message ?? e) };
  }
}
console.log(JSON.stringify(result));
