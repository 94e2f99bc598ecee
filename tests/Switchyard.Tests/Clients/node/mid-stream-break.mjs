// Streams one chat completion through the official openai npm SDK and prints one JSON line saying how it ended.
// Driven by NodeSdkTests: SWITCHYARD_BASE_URL (…/v1), SWITCHYARD_KEY, SWITCHYARD_MODEL.
import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: process.env.SWITCHYARD_BASE_URL,
  apiKey: process.env.SWITCHYARD_KEY,
  maxRetries: 0,
});

let text = '';
let requestId = null;
try {
  const { data: stream, request_id } = await client.chat.completions
    .create({ model: process.env.SWITCHYARD_MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true })
    .withResponse();
  requestId = request_id;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  console.log(JSON.stringify({ outcome: 'completed', text, requestId }));
} catch (e) {
  console.log(JSON.stringify({ outcome: 'raised', text, requestId, error: e?.constructor?.name ?? typeof e, message: String(e?.message ?? e) }));
}
