// The fake upstream the captures beside it came from (docs/clients.md): point an agent client straight at it (or a
// gateway's deployments), and every request is appended to FAKE_LOG as one JSON line (method, url, headers without the
// credential, body). It speaks Anthropic Messages (+SSE, count_tokens), OpenAI Responses (+SSE) and Chat Completions
// (+SSE): with tools offered and no tool result since the last assistant turn it calls one tool (Bash, shell,
// exec_command, Read, ...), after a tool result it answers text. FAKE_MODE=overloaded|429 answers Anthropic errors.
// Not run by the test suite.  FAKE_PORT=4100 FAKE_LOG=/tmp/capture.log node capture-upstream.mjs
import http from 'node:http';
import fs from 'node:fs';

const port = Number(process.env.FAKE_PORT || 4100);
const log = fs.createWriteStream(process.env.FAKE_LOG || 'capture.log', { flags: 'a' });
let n = 0;

function pickTool(names) {
  for (const want of ['Bash', 'shell', 'exec_command', 'local_shell', 'Read', 'exec', 'bash', 'read']) if (names.includes(want)) return want;
  return names[0];
}
function argsFor(name) {
  if (name === 'Read' || name === 'read') return { file_path: '/etc/hostname', path: '/etc/hostname' };
  if (name === 'shell') return { command: ['bash', '-lc', 'echo hello-from-tool'] };
  if (name === 'exec_command') return { cmd: 'echo hello-from-tool' };
  return { command: 'echo hello-from-tool', description: 'say hello' };
}

function sse(res, event, data) {
  res.write((event ? `event: ${event}\n` : '') + `data: ${JSON.stringify(data)}\n\n`);
}

function anthropic(req, res, body) {
  if (req.url.includes('count_tokens')) {
    return json(res, 200, { input_tokens: 42 });
  }
  const msgs = body.messages || [];
  let last = msgs[msgs.length - 1] || {};
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i].role === 'assistant') break;
    if (Array.isArray(msgs[i].content) && msgs[i].content.some(b => b.type === 'tool_result')) { last = msgs[i]; break; }
  }
  const hasResult = Array.isArray(last.content) && last.content.some(b => b.type === 'tool_result');
  const toolNames = (body.tools || []).map(t => t.name).filter(Boolean);
  // Claude Code's small side calls (titles, topic checks) ask for few tokens: those get text, so only the agent turn calls a tool
  const wantTool = !hasResult && toolNames.length > 0 && process.env.FAKE_NO_TOOLS !== '1' && body.max_tokens > 600;
  const id = 'msg_fake' + (++n);
  const tool = wantTool ? pickTool(toolNames) : null;
  const text = hasResult ? 'The tool said: ' + JSON.stringify(last.content.find(b => b.type === 'tool_result').content).slice(0, 80) : 'Hello from the fake.';
  const content = tool ? [{ type: 'tool_use', id: 'toolu_fake' + n, name: tool, input: argsFor(tool) }] : [{ type: 'text', text }];
  const stop = tool ? 'tool_use' : 'end_turn';
  const usage = { input_tokens: 42, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  if (!body.stream) {
    return json(res, 200, { id, type: 'message', role: 'assistant', model: body.model, content, stop_reason: stop, stop_sequence: null, usage });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_fake' + n });
  sse(res, 'message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
  if (tool) {
    sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: content[0].id, name: tool, input: {} } });
    const s = JSON.stringify(content[0].input);
    sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: s.slice(0, 5) } });
    sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: s.slice(5) } });
  } else {
    sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    sse(res, 'ping', { type: 'ping' });
    sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: text.slice(0, 6) } });
    sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: text.slice(6) } });
  }
  sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
  sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 7 } });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function responses(req, res, body) {
  const input = Array.isArray(body.input) ? body.input : [{ role: 'user', content: body.input }];
  const outputs = input.filter(i => i.type === 'function_call_output' || i.type === 'custom_tool_call_output');
  const lastIsResult = input.length && (input[input.length - 1].type === 'function_call_output' || input[input.length - 1].type === 'custom_tool_call_output');
  const toolNames = (body.tools || []).map(t => t.name || t.type).filter(Boolean);
  const tool = !lastIsResult && toolNames.length ? pickTool(toolNames) : null;
  const id = 'resp_fake' + (++n);
  const text = lastIsResult ? 'The tool said: ' + JSON.stringify(outputs[outputs.length - 1].output).slice(0, 80) : 'Hello from the fake.';
  const item = tool
    ? { type: 'function_call', id: 'fc_fake' + n, call_id: 'call_fake' + n, name: tool, arguments: JSON.stringify(argsFor(tool)), status: 'completed' }
    : { type: 'message', id: 'msg_fake' + n, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
  const usage = { input_tokens: 42, input_tokens_details: { cached_tokens: 0 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 49 };
  const full = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'completed', model: body.model, output: [item], usage, error: null, incomplete_details: null };
  if (!body.stream) return json(res, 200, full);
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let seq = 0;
  const ev = (type, d) => sse(res, type, { type, sequence_number: seq++, ...d });
  ev('response.created', { response: { ...full, status: 'in_progress', output: [], usage: null } });
  ev('response.in_progress', { response: { ...full, status: 'in_progress', output: [], usage: null } });
  if (tool) {
    ev('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } });
    ev('response.function_call_arguments.delta', { output_index: 0, item_id: item.id, delta: item.arguments });
    ev('response.function_call_arguments.done', { output_index: 0, item_id: item.id, arguments: item.arguments });
    ev('response.output_item.done', { output_index: 0, item });
  } else {
    ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    ev('response.content_part.added', { output_index: 0, item_id: item.id, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    ev('response.output_text.delta', { output_index: 0, item_id: item.id, content_index: 0, delta: text });
    ev('response.output_text.done', { output_index: 0, item_id: item.id, content_index: 0, text });
    ev('response.content_part.done', { output_index: 0, item_id: item.id, content_index: 0, part: item.content[0] });
    ev('response.output_item.done', { output_index: 0, item });
  }
  ev('response.completed', { response: full });
  res.end();
}

function chat(req, res, body) {
  const msgs = body.messages || [];
  let lastTool = null;
  for (let i = msgs.length - 1; i >= 0; i--) { if (msgs[i].role === 'tool') { lastTool = msgs[i]; break; } if (msgs[i].role === 'assistant') break; }
  const last = lastTool || msgs[msgs.length - 1] || {};
  const toolNames = (body.tools || []).map(t => t.function?.name).filter(Boolean);
  const tool = !lastTool && toolNames.length ? pickTool(toolNames) : null;
  const id = 'chatcmpl-fake' + (++n);
  const text = lastTool ? 'The tool said: ' + JSON.stringify(last.content).slice(0, 80) : 'Hello from the fake.';
  const call = tool ? { id: 'call_fake' + n, type: 'function', function: { name: tool, arguments: JSON.stringify(argsFor(tool)) } } : null;
  const usage = { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 };
  const finish = tool ? 'tool_calls' : 'stop';
  if (!body.stream) {
    return json(res, 200, { id, object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: tool ? null : text, ...(tool ? { tool_calls: [call] } : {}) }, finish_reason: finish }], usage });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta, fr, u) => res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: body.model, choices: u ? [] : [{ index: 0, delta, finish_reason: fr }], ...(u ? { usage: u } : {}) })}\n\n`);
  chunk({ role: 'assistant', content: '' }, null);
  if (tool) chunk({ tool_calls: [{ index: 0, ...call }] }, null);
  else chunk({ content: text }, null);
  chunk({}, finish);
  if (body.stream_options?.include_usage) chunk(null, null, usage);
  res.write('data: [DONE]\n\n');
  res.end();
}

function json(res, status, obj) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(obj));
}

http.createServer((req, res) => {
  let raw = '';
  req.on('data', c => (raw += c));
  req.on('end', () => {
    let body = {};
    try { body = raw ? JSON.parse(raw) : {}; } catch { }
    const hdrs = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !/authorization|x-api-key/.test(k)));
    log.write(JSON.stringify({ method: req.method, url: req.url, headers: hdrs, body }) + '\n');
    const mode = process.env.FAKE_MODE;
    if (mode === 'overloaded') return json(res, 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    if (mode === '429') { res.setHeader('retry-after', '3'); return json(res, 429, { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }); }
    if (req.url.includes('/messages')) return anthropic(req, res, body);
    if (req.url.includes('/responses')) return responses(req, res, body);
    if (req.url.includes('/chat/completions')) return chat(req, res, body);
    json(res, 404, { error: { message: 'no route ' + req.url } });
  });
}).listen(port, '127.0.0.1', () => console.log('fake on ' + port));
