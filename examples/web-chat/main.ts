// Upstream's README chat as a web page. Every window (and every Node chat in a terminal) opened
// with the same login and password is the same user: messages go to the user's private room
// and reach the others through the beacon. The list is a React component over a live query
// (@discret/react): it updates itself on every message, typed here or received by sync.
import { Discret, derivePassPhrase } from '@discret/core';
import { DiscretProvider, useQuery } from '@discret/react';
import { createElement as h, memo, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

const loginForm = document.querySelector<HTMLFormElement>('#login')!;
const sendForm = document.querySelector<HTMLFormElement>('#send')!;
const status = document.querySelector<HTMLParagraphElement>('#status')!;

// The URL may prefill the form: ?login=...&beacon=...
const query = new URLSearchParams(location.search);
for (const name of ['login', 'beacon'] as const) {
  const value = query.get(name);
  if (value) (loginForm.elements.namedItem(name) as HTMLInputElement).value = value;
}

type Message = { id: string; content: string };
const MESSAGES = 'query { res: chat.Message(order_by(mdate asc, id asc), room_id = $room) { id content } }';

// memo: a message already on screen keeps its object in the next result, so it is not rendered again.
const Line = memo(({ message }: { message: Message }) => h('li', null, message.content));

function Messages({ room }: { room: string }) {
  const { data } = useQuery<{ res: Message[] }>(MESSAGES, { room });
  return h('ul', { id: 'messages' }, data?.res.map((message) => h(Line, { key: message.id, message })));
}

let app: Discret | null = null;

loginForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(loginForm);
  status.textContent = 'Opening…';
  try {
    app = await Discret.open({
      dataModel: 'chat { Message { content: String } }',
      appKey: 'github.com/discretlib/rust_example_simple_chat',
      keyMaterial: await derivePassPhrase(String(data.get('login')), String(data.get('password'))),
      dataFolder: 'web-chat',
      config: { beacons: String(data.get('beacon') ?? '').split(/\s+/).filter(Boolean) },
    });
  } catch (error) {
    status.textContent = `Cannot open: ${(error as Error).message}`;
    return;
  }
  createRoot(document.querySelector<HTMLDivElement>('#list')!).render(
    h(StrictMode, null, h(DiscretProvider, { app }, h(Messages, { room: app.privateRoom }))),
  );
  loginForm.hidden = true;
  document.querySelector<HTMLDivElement>('#chat')!.hidden = false;
  status.textContent = `Signed in as ${app.verifyingKey.slice(0, 8)}…`;
});

sendForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = sendForm.elements.namedItem('message') as HTMLInputElement;
  const message = input.value.trim();
  if (!app || !message) return;
  input.value = '';
  await app.mutate('mutate { chat.Message { room_id: $room content: $message } }', { room: app.privateRoom, message });
});

addEventListener('pagehide', () => void app?.close());
