// telegram-test-api (npm) as a Bot API server python-telegram-bot 22 can talk to.
//
//     node bench/ttapi_adapter.js <folder holding node_modules/telegram-test-api> <port>
//
// Prints "ready" once it listens on 127.0.0.1:<port>. The package's own routes are kept; routes
// put in front of them fix what PTB 22 cannot use: getMe without is_bot, no setMyCommands or
// deleteMyCommands (HTTP 500), and a sent Message with its date in milliseconds and every request
// field echoed back. sendMessage still stores the message with the package's own addBotMessage;
// the client route POST /getUpdatesHistory (token in the body) lists what the bot sent. Messages
// are kept for a day (the package drops them after storeTimeout, 60 s by default). A button press
// (client route POST /sendCallback) reaches the bot with the body's chat_instance, which the
// package leaves out and PTB 22 requires (without it PTB cannot read any update of the batch).
'use strict';
const path = require('path');

const [folder, port] = process.argv.slice(2);
const pkg = path.join(path.resolve(folder), 'node_modules', 'telegram-test-api');
const TelegramServer = require(pkg);
const { routes } = require(path.join(pkg, 'lib', 'routes'));

const BOT = {
  id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot',
  can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false,
};

const formatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const formatted = formatUpdate(update);
  if (formatted.callback_query) {
    formatted.callback_query.chat_instance = String(update.callbackQuery.chat_instance ?? update.callbackQuery.from.id);
  }
  return formatted;
};

routes.unshift((app, server) => {
  app.all('/bot:token/getMe', (_req, res) => res.json({ ok: true, result: BOT }));
  for (const method of ['setMyCommands', 'deleteMyCommands']) {
    app.all(`/bot:token/${method}`, (_req, res) => res.json({ ok: true, result: true }));
  }
  app.all('/bot:token/sendMessage', (req, res) => {
    // The package echoes every request field back (link_preview_options as the JSON string it
    // got, which PTB cannot read as a Message); answer with the Message fields only.
    const stored = server.addBotMessage(req.body, req.params.token);
    const { message_id: messageId, chat, text, reply_markup: markup } = stored;
    const result = { message_id: messageId, date: Math.floor(stored.date / 1000), chat, from: BOT, text };
    res.json({ ok: true, result: markup ? { ...result, reply_markup: markup } : result });
  });
});

const server = new TelegramServer({ port: Number(port), host: '127.0.0.1', storeTimeout: 86400 });
server.start().then(() => console.log('ready'));
