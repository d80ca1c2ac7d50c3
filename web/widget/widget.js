/*!
 * CHATSPOT webchat widget.
 *
 * Include on any page:
 *   <script src="https://<chatspot>/widget.js" data-channel="<channel id>" async></script>
 * Optional: data-lang="en" for English (default: Brazilian Portuguese).
 *
 * Plain JavaScript, no build step, no dependencies. Everything is rendered
 * inside a Shadow DOM so the host page's CSS cannot reach it. Exposes
 * window.ChatspotWidget = { open(), close() }.
 */
(function () {
  'use strict';

  if (window.ChatspotWidget && window.ChatspotWidget.version) return; // included twice

  var script = document.currentScript || document.querySelector('script[data-channel][src*="widget"]') || document.querySelector('script[data-channel]');
  if (!script || !script.getAttribute('data-channel')) {
    console.warn('[chatspot] widget.js needs a <script data-channel="..."> tag');
    return;
  }
  var channelId = script.getAttribute('data-channel').trim();
  var origin = new URL(script.src || '/', location.href).origin;
  var base = origin + '/hooks/webchat/' + encodeURIComponent(channelId);
  var tokenKey = 'chatspot:' + channelId + ':token';
  var lang = (script.getAttribute('data-lang') || 'pt-BR').toLowerCase().indexOf('en') === 0 ? 'en' : 'pt-BR';
  var MAX_TEXT = 2000;
  var MAX_FILES = 10; // per message, as the server allows
  var MAX_FILE_SIZE = 10 * 1024 * 1024; // 10 MiB, the server's limit
  // The picker suggests what the server accepts (it checks the content, so
  // this is only a hint; "all files" still reaches the server and its 422).
  var ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv,.csv,' +
    'audio/ogg,audio/mpeg,audio/wav,.mp3,.ogg,.wav,video/mp4,video/webm,.docx,.xlsx';

  // ---------------------------------------------------------------- texts
  var TEXTS = {
    'pt-BR': {
      open: 'Abrir o chat', close: 'Fechar o chat', unread: '{n} mensagens não lidas',
      online: 'Online', offline: 'Fora do horário de atendimento',
      loading: 'Carregando…', loadFailed: 'Não foi possível carregar o chat.', retry: 'Tentar de novo',
      prechatIntro: 'Para começar, conte quem é você.',
      name: 'Nome', email: 'E-mail', phone: 'Telefone', message: 'Mensagem', requiredMark: 'obrigatório',
      start: 'Iniciar conversa', starting: 'Iniciando…',
      sendForm: 'Enviar mensagem', sendingForm: 'Enviando…',
      thanks: 'Obrigado! Recebemos sua mensagem e responderemos assim que possível.',
      viewConversation: 'Ver a conversa',
      placeholder: 'Escreva sua mensagem…', send: 'Enviar', sending: 'Enviando…',
      you: 'Você', agent: 'Atendimento',
      errRequired: 'Preencha este campo.', errEmail: 'Informe um e-mail válido.', errPhone: 'Informe um telefone válido, com DDD.',
      errHidden: 'Este campo não é pedido neste chat.', errTooLong: 'Texto muito longo.',
      errEmpty: 'Escreva uma mensagem.', errTextTooLong: 'A mensagem pode ter no máximo {max} caracteres (tem {n}).',
      errRate: 'Você está enviando mensagens rápido demais. Aguarde {s} s e tente de novo.',
      errRateNoWait: 'Você está enviando mensagens rápido demais. Aguarde um momento e tente de novo.',
      errNetwork: 'Sem conexão com o servidor. Verifique sua internet e tente de novo.',
      errServer: 'Algo deu errado ({status}). Tente de novo em instantes.',
      errExpired: 'Sua sessão de chat expirou. Preencha os dados para começar uma nova conversa.',
      reconnecting: 'Reconectando…',
      attach: 'Anexar arquivo', removeFile: 'Remover {name}', uploading: 'enviando…', retryUpload: 'Tentar de novo',
      openImage: 'Abrir {name} em tamanho real', download: 'Baixar {name}',
      errFileType: 'Este tipo de arquivo não é aceito. Envie imagens, PDF, texto, planilhas, documentos, áudio ou vídeo.',
      errFileTooBig: 'O arquivo passa de 10 MB.', errFileEmpty: 'O arquivo está vazio.',
      errTooManyFiles: 'No máximo {max} arquivos por mensagem.', errUploading: 'Aguarde o envio dos arquivos terminar.',
      poweredBy: 'Atendimento por CHATSPOT'
    },
    en: {
      open: 'Open chat', close: 'Close chat', unread: '{n} unread messages',
      online: 'Online', offline: 'Outside business hours',
      loading: 'Loading…', loadFailed: 'The chat could not be loaded.', retry: 'Try again',
      prechatIntro: 'To start, tell us who you are.',
      name: 'Name', email: 'E-mail', phone: 'Phone', message: 'Message', requiredMark: 'required',
      start: 'Start chat', starting: 'Starting…',
      sendForm: 'Send message', sendingForm: 'Sending…',
      thanks: 'Thank you! We received your message and will reply as soon as possible.',
      viewConversation: 'View conversation',
      placeholder: 'Type your message…', send: 'Send', sending: 'Sending…',
      you: 'You', agent: 'Support',
      errRequired: 'Please fill in this field.', errEmail: 'Enter a valid e-mail address.', errPhone: 'Enter a valid phone number.',
      errHidden: 'This field is not asked on this chat.', errTooLong: 'Too long.',
      errEmpty: 'Type a message.', errTextTooLong: 'A message can have at most {max} characters (this one has {n}).',
      errRate: 'You are sending messages too fast. Wait {s} s and try again.',
      errRateNoWait: 'You are sending messages too fast. Wait a moment and try again.',
      errNetwork: 'No connection to the server. Check your internet and try again.',
      errServer: 'Something went wrong ({status}). Try again in a moment.',
      errExpired: 'Your chat session expired. Fill in your details to start a new conversation.',
      reconnecting: 'Reconnecting…',
      attach: 'Attach a file', removeFile: 'Remove {name}', uploading: 'uploading…', retryUpload: 'Try again',
      openImage: 'Open {name} full size', download: 'Download {name}',
      errFileType: 'This type of file is not accepted. Send images, PDF, text, spreadsheets, documents, audio or video.',
      errFileTooBig: 'The file is larger than 10 MB.', errFileEmpty: 'The file is empty.',
      errTooManyFiles: 'At most {max} files per message.', errUploading: 'Wait for the files to finish uploading.',
      poweredBy: 'Support by CHATSPOT'
    }
  };
  function t(key, vars) {
    var s = TEXTS[lang][key] || TEXTS['pt-BR'][key] || key;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
  }

  // ---------------------------------------------------------------- storage
  var memory = {};
  var store = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return memory[k] || null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, v); } catch (e) { memory[k] = v; } },
    del: function (k) { try { window.localStorage.removeItem(k); } catch (e) { /* ignore */ } delete memory[k]; }
  };

  // ---------------------------------------------------------------- state
  var state = {
    config: null,
    token: store.get(tokenKey),
    view: 'loading', // loading | error | prechat | offline | offline-sent | chat
    open: false,
    wantOpen: false,
    messages: new Map(), // id -> message
    seen: new Set(), // outbound ids shown while the panel was open and visible
    notice: '', // a one-off note above the form (e.g. session expired)
    lastSend: null, // {sig, clientId} of the last failed send, reused on retry
    sending: false,
    files: [] // the composer's attachments: {key, file, name, size, attachment, error, retryable, uploading}
  };
  var fileSeq = 0;

  // ---------------------------------------------------------------- http
  function ApiError(status, problem, retryAfter) {
    this.status = status;
    this.problem = problem || null;
    this.retryAfter = retryAfter;
    this.message = (problem && problem.detail) || ('HTTP ' + status);
  }

  function api(method, path, body, auth) {
    var headers = { Accept: 'application/json' };
    var form = typeof FormData !== 'undefined' && body instanceof FormData; // the browser sets the multipart boundary
    if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
    if (auth) headers.Authorization = 'Bearer ' + state.token;
    return fetch(base + path, {
      method: method, headers: headers, mode: 'cors', credentials: 'omit', cache: 'no-store',
      body: body === undefined ? undefined : form ? body : JSON.stringify(body)
    }).then(function (res) {
      var parse = res.status === 204 ? Promise.resolve(null) : res.json().catch(function () { return null; });
      return parse.then(function (data) {
        if (res.ok) return data;
        var err = new ApiError(res.status, data, res.headers.get('Retry-After'));
        if (res.status === 401 && auth) tokenRejected();
        throw err;
      });
    }, function () {
      throw new ApiError(0, null, null);
    });
  }

  function genericError(err) {
    if (!err || err.status === 0) return t('errNetwork');
    if (err.status === 429) {
      var s = parseInt(err.retryAfter, 10);
      return s > 0 ? t('errRate', { s: s }) : t('errRateNoWait');
    }
    if (err.status >= 500 || !err.problem || !err.problem.detail) return t('errServer', { status: err.status });
    return err.problem.detail;
  }

  // fieldError turns a 422's reason ("email: is not valid") into the
  // visitor's language; unknown reasons show the server's detail.
  function fieldError(field, detail) {
    var d = String(detail || '');
    if (/is required/.test(d)) return t('errRequired');
    if (/not asked/.test(d)) return t('errHidden');
    if (/too long|longer than/.test(d)) return field === 'text' || field === 'message' ? t('errTextTooLong', { max: MAX_TEXT, n: '> ' + MAX_TEXT }) : t('errTooLong');
    if (/is empty/.test(d)) return field === 'text' || field === 'message' ? t('errEmpty') : t('errRequired');
    if (/not valid/.test(d)) return field === 'email' ? t('errEmail') : field === 'phone' ? t('errPhone') : d;
    return d;
  }

  // uploadError explains why a file was not accepted, in the visitor's language.
  function uploadError(err) {
    if (err && err.status === 413) return t('errFileTooBig');
    if (err && err.status === 422 && err.problem) {
      var d = String(err.problem.detail || '');
      if (/not accepted/.test(d)) return t('errFileType');
      if (/larger than/.test(d)) return t('errFileTooBig');
      if (/is empty/.test(d)) return t('errFileEmpty');
      return d.replace(/^file: /, '');
    }
    return genericError(err);
  }

  // ---------------------------------------------------------------- dom
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k === 'text') el.textContent = v;
        else if (k === 'class') el.className = v;
        else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? '' : v);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      (Array.isArray(c) ? c : [c]).forEach(function (x) {
        if (x !== null && x !== undefined && x !== false) el.appendChild(typeof x === 'string' ? document.createTextNode(x) : x);
      });
    }
    return el;
  }

  var STYLES = [
    ':host{all:initial;--cs-color:#2a5bd7;--cs-on-color:#fff}',
    '.root{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2330;text-align:left;letter-spacing:normal;text-transform:none}',
    '*,*::before,*::after{box-sizing:border-box}',
    '[hidden]{display:none!important}',
    'button,input,textarea{font:inherit;color:inherit;margin:0}',
    '.balloon{position:relative;width:60px;height:60px;border-radius:50%;border:0;cursor:pointer;background:var(--cs-color);color:var(--cs-on-color);box-shadow:0 6px 20px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;transition:transform .15s}',
    '.balloon:hover{transform:scale(1.06)}',
    '.balloon:focus-visible,.close:focus-visible,.send:focus-visible,.btn:focus-visible{outline:3px solid #9ab6ff;outline-offset:2px}',
    '.balloon svg{width:30px;height:30px;fill:currentColor}',
    '.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#e5322d;color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center;box-shadow:0 0 0 2px #fff}',
    '.panel{position:absolute;right:0;bottom:76px;width:370px;height:min(580px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;border-radius:14px;overflow:hidden;box-shadow:0 12px 40px rgba(0,0,0,.28)}',
    '.header{display:flex;align-items:center;gap:10px;padding:14px 16px;background:var(--cs-color);color:var(--cs-on-color)}',
    '.header .titles{flex:1;min-width:0}',
    '.header .title{font-size:16px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}',
    '.header .sub{font-size:12px;opacity:.85;display:flex;align-items:center;gap:6px}',
    '.dot{width:8px;height:8px;border-radius:50%;background:#3ddc84}.dot.off{background:#bbb}',
    '.close{background:transparent;border:0;color:inherit;cursor:pointer;font-size:24px;line-height:1;width:32px;height:32px;border-radius:6px}',
    '.close:hover{background:rgba(255,255,255,.15)}',
    '.body{flex:1;min-height:0;display:flex;flex-direction:column;background:#f4f6fa}',
    '.scroll{flex:1;min-height:0;overflow-y:auto;padding:14px 12px;display:flex;flex-direction:column;gap:8px}',
    '.row{display:flex;flex-direction:column;max-width:82%}',
    '.row.in{align-self:flex-end;align-items:flex-end}',
    '.row.out{align-self:flex-start;align-items:flex-start}',
    '.author{font-size:11px;color:#6b7080;margin:0 6px 2px}',
    '.bubble{padding:8px 12px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere}',
    '.row.out .bubble{background:#fff;border:1px solid #e2e5ec;border-bottom-left-radius:4px}',
    '.row.in .bubble{background:var(--cs-color);color:var(--cs-on-color);border-bottom-right-radius:4px}',
    '.bubble a{color:inherit;text-decoration:underline}',
    '.time{font-size:10px;color:#8a8f9c;margin:2px 6px 0}',
    '.status{padding:6px 12px;font-size:12px;text-align:center;background:#fff4d6;color:#6b5200}',
    '.composer{display:flex;gap:8px;align-items:flex-end;padding:10px;border-top:1px solid #e2e5ec;background:#fff}',
    '.composer textarea{flex:1;resize:none;min-height:40px;max-height:120px;padding:9px 12px;border:1px solid #cfd4de;border-radius:10px;background:#fff;outline:none}',
    '.composer textarea:focus,.field input:focus,.field textarea:focus{border-color:var(--cs-color);box-shadow:0 0 0 2px rgba(42,91,215,.15)}',
    '.send{flex:none;height:40px;padding:0 14px;border:0;border-radius:10px;background:var(--cs-color);color:var(--cs-on-color);cursor:pointer;font-weight:600}',
    '.send:disabled,.btn:disabled{opacity:.55;cursor:default}',
    '.counter{font-size:11px;color:#8a8f9c;text-align:right;padding:0 12px 6px;background:#fff}.counter.over{color:#c62828;font-weight:600}',
    '.error{color:#c62828;font-size:12px;margin-top:4px}',
    '.composer-error{padding:6px 12px;background:#fdecea;color:#b71c1c;font-size:13px}',
    '.attach{flex:none;width:40px;height:40px;border:1px solid #cfd4de;border-radius:10px;background:#fff;color:#4a5060;cursor:pointer;display:flex;align-items:center;justify-content:center;padding:0}',
    '.attach:hover{background:#f4f6fa}.attach:disabled{opacity:.55;cursor:default}',
    '.attach svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}',
    '.attach:focus-visible,.chip button:focus-visible,.files a:focus-visible{outline:3px solid #9ab6ff;outline-offset:2px}',
    '.chips{display:flex;flex-wrap:wrap;gap:6px;padding:8px 10px 0;background:#fff;border-top:1px solid #e2e5ec;max-height:120px;overflow-y:auto}',
    '.chips+.composer{border-top:0}',
    '.chip{display:flex;align-items:center;gap:6px;max-width:100%;padding:4px 4px 4px 10px;border-radius:14px;background:#e8ebf2;font-size:12px}',
    '.chip .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:170px;font-weight:600}',
    '.chip .meta{color:#6b7080;white-space:nowrap}',
    '.chip.error{background:#fdecea;color:#b71c1c;flex-wrap:wrap;border-radius:10px}',
    '.chip.error .meta{color:#b71c1c;white-space:normal;flex-basis:100%;order:3;padding-bottom:2px}',
    '.chip button{border:0;background:transparent;color:inherit;cursor:pointer;font-size:16px;line-height:1;width:24px;height:24px;border-radius:12px;padding:0}',
    '.chip button:hover{background:rgba(0,0,0,.08)}',
    '.chip button.retry{width:auto;font-size:12px;text-decoration:underline;padding:0 4px}',
    '.files{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;list-style:none}',
    '.files li{max-width:100%}.files li.doc{flex-basis:100%}',
    '.bubble .text+.files{margin-top:6px}',
    '.files img{display:block;max-width:220px;max-height:200px;min-width:40px;min-height:40px;border-radius:8px;background:#e8ebf2;object-fit:cover}',
    '.files li:not(:only-child) img{max-width:104px;max-height:104px}',
    '.files a.file{display:flex;align-items:center;gap:6px;text-decoration:none;padding:6px 8px;border-radius:8px;background:rgba(0,0,0,.06)}',
    '.row.in .files a.file{background:rgba(255,255,255,.18)}',
    '.files a.file .fname{text-decoration:underline;overflow-wrap:anywhere}',
    '.files a.file .fsize{opacity:.75;white-space:nowrap;font-size:12px}',
    '.form{padding:16px;overflow-y:auto;display:flex;flex-direction:column;gap:12px}',
    '.intro{margin:0;color:#3b4050}',
    '.notice{margin:0;padding:8px 10px;border-radius:8px;background:#fff4d6;color:#6b5200;font-size:13px}',
    '.field{display:flex;flex-direction:column;gap:4px}',
    '.field label{font-size:13px;font-weight:600;color:#3b4050}',
    '.req{color:#c62828;margin-left:2px}',
    '.field input,.field textarea{width:100%;padding:9px 11px;border:1px solid #cfd4de;border-radius:8px;background:#fff;outline:none}',
    '.field textarea{min-height:90px;resize:vertical}',
    '.field.invalid input,.field.invalid textarea{border-color:#c62828}',
    '.btn{height:42px;padding:0 18px;border:0;border-radius:10px;background:var(--cs-color);color:var(--cs-on-color);cursor:pointer;font-weight:600}',
    '.btn.secondary{background:#e8ebf2;color:#1f2330}',
    '.center{flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:12px;padding:24px;text-align:center;color:#3b4050}',
    '.footer{font-size:10px;color:#9aa0ad;text-align:center;padding:4px;background:#fff}',
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
    '@media (max-width:480px){',
    '  .panel{position:fixed;inset:0;width:100vw;height:100vh;height:100dvh;border-radius:0}',
    '  :host(.is-open) .balloon{display:none}',
    '}',
    '@media (prefers-reduced-motion:reduce){.balloon{transition:none}}'
  ].join('\n');

  var ICON_CHAT = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1L4 21.5l4.6-2.2c1.1.3 2.2.5 3.4.5 5.5 0 10-3.8 10-8.5S17.5 3 12 3z"/></svg>';
  var ICON_CLIP = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5"/></svg>';
  var ICON_CLOSE = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7 2.9 18.3 9.2 12 2.9 5.7 4.3 4.3l6.3 6.3 6.3-6.3z"/></svg>';

  // ---------------------------------------------------------------- skeleton
  var host, root, ui = {};

  function mount() {
    host = document.createElement('chatspot-widget');
    host.setAttribute('data-channel', channelId);
    // Inline and important: the host page's CSS cannot move or hide the widget.
    ['position:fixed', 'right:20px', 'bottom:20px', 'left:auto', 'top:auto', 'z-index:2147483000', 'display:block', 'width:auto', 'height:auto', 'margin:0', 'padding:0', 'border:0', 'transform:none']
      .forEach(function (d) { var i = d.indexOf(':'); host.style.setProperty(d.slice(0, i), d.slice(i + 1), 'important'); });
    root = host.attachShadow({ mode: 'open' });
    root.appendChild(h('style', { text: STYLES }));

    ui.badge = h('span', { class: 'badge', 'data-testid': 'cs-badge', hidden: true, 'aria-hidden': 'true' });
    ui.balloonLabel = h('span', { class: 'sr' });
    ui.balloon = h('button', {
      type: 'button', class: 'balloon', 'data-testid': 'cs-balloon', 'aria-expanded': 'false', 'aria-controls': 'cs-panel',
      onclick: function () { state.open ? close() : open(); }
    });
    ui.balloonIcon = h('span');
    ui.balloonIcon.innerHTML = ICON_CHAT; // static markup, no visitor data
    ui.balloon.append(ui.balloonIcon, ui.badge, ui.balloonLabel);

    ui.title = h('div', { class: 'title' });
    ui.dot = h('span', { class: 'dot' });
    ui.sub = h('span');
    ui.panel = h('div', { class: 'panel', id: 'cs-panel', role: 'dialog', 'aria-modal': 'false', 'data-testid': 'cs-panel', hidden: true },
      h('div', { class: 'header' },
        h('div', { class: 'titles' }, ui.title, h('div', { class: 'sub' }, ui.dot, ui.sub)),
        h('button', { type: 'button', class: 'close', 'data-testid': 'cs-close', 'aria-label': t('close'), title: t('close'), onclick: function () { close(); }, text: '×' })
      ),
      ui.body = h('div', { class: 'body' }),
      h('div', { class: 'footer', text: t('poweredBy') })
    );
    ui.panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') { close(); ui.balloon.focus(); } });
    root.append(h('div', { class: 'root', lang: lang }, ui.panel, ui.balloon));
    (document.body || document.documentElement).appendChild(host);
    updateBalloon();
  }

  function applyConfig(cfg) {
    var color = typeof cfg.color === 'string' && window.CSS && CSS_supports(cfg.color) ? cfg.color : '#2a5bd7';
    host.style.setProperty('--cs-color', color);
    host.style.setProperty('--cs-on-color', onColor(color));
    ui.title.textContent = cfg.title || t('agent');
    ui.panel.setAttribute('aria-label', cfg.title || t('agent'));
    ui.dot.className = cfg.online ? 'dot' : 'dot off';
    ui.sub.textContent = cfg.online ? t('online') : t('offline');
  }
  function CSS_supports(c) { try { return window.CSS.supports('color', c); } catch (e) { return false; } }

  // onColor picks white or near-black text for a background colour.
  function onColor(color) {
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
    if (!m) return '#fff';
    var hex = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
    var ch = [0, 2, 4].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
    return lum > 0.45 ? '#1f2330' : '#fff';
  }

  // ---------------------------------------------------------------- open / close
  function open() {
    if (!host) { state.wantOpen = true; return; }
    state.open = true;
    ui.panel.hidden = false;
    host.classList.add('is-open');
    ui.balloon.setAttribute('aria-expanded', 'true');
    ui.balloonIcon.innerHTML = ICON_CLOSE;
    markSeen();
    scrollToEnd();
    focusFirst();
    updateBalloon();
  }
  function close() {
    state.wantOpen = false;
    if (!host) return;
    state.open = false;
    ui.panel.hidden = true;
    host.classList.remove('is-open');
    ui.balloon.setAttribute('aria-expanded', 'false');
    ui.balloonIcon.innerHTML = ICON_CHAT;
    updateBalloon();
  }
  function focusFirst() {
    var el = ui.body.querySelector('textarea:not([disabled]),input:not([disabled]),button');
    if (el) setTimeout(function () { try { el.focus({ preventScroll: true }); } catch (e) { /* ignore */ } }, 0);
  }

  function updateBalloon() {
    var n = state.open ? 0 : unreadCount();
    ui.badge.hidden = n === 0;
    ui.badge.textContent = n > 99 ? '99+' : String(n);
    ui.balloonLabel.textContent = state.open ? t('close') : (n ? t('open') + ', ' + t('unread', { n: n }) : t('open'));
  }

  function unreadCount() {
    var n = 0;
    state.messages.forEach(function (m) {
      if (m.direction === 'outbound' && m.status !== 'read' && m.status !== 'failed' && !state.seen.has(m.id)) n++;
    });
    return n;
  }

  function visible() { return state.open && document.visibilityState !== 'hidden'; }

  // markSeen records the agent messages the visitor has in front of them
  // and tells the server, so the agent's ticks turn to "read".
  var readTimer = null, readBusy = false, readAgain = false;
  function markSeen() {
    if (!visible() || state.view !== 'chat') return;
    var pending = false;
    state.messages.forEach(function (m) {
      if (m.direction !== 'outbound') return;
      state.seen.add(m.id);
      if (m.status === 'sent' || m.status === 'delivered') pending = true;
    });
    updateBalloon();
    if (pending) scheduleRead();
  }
  function scheduleRead() {
    if (readTimer) return;
    readTimer = setTimeout(function () {
      readTimer = null;
      if (readBusy) { readAgain = true; return; }
      if (!state.token || !visible()) return;
      readBusy = true;
      api('POST', '/read', undefined, true).catch(function () { /* the next message retries */ }).then(function () {
        readBusy = false;
        if (readAgain) { readAgain = false; scheduleRead(); }
      });
    }, 250);
  }
  document.addEventListener('visibilitychange', function () { if (visible()) markSeen(); });

  // ---------------------------------------------------------------- views
  function setView(view) {
    state.view = view;
    ui.body.textContent = '';
    ui.list = null;
    ui.nodes = new Map();
    if (view === 'loading') ui.body.append(h('div', { class: 'center', 'aria-busy': 'true', text: t('loading') }));
    else if (view === 'error') renderLoadError();
    else if (view === 'prechat') renderPrechat();
    else if (view === 'offline') renderOffline();
    else if (view === 'offline-sent') renderOfflineSent();
    else if (view === 'chat') renderChat();
    if (state.open) focusFirst();
  }

  function renderLoadError() {
    ui.body.append(h('div', { class: 'center' },
      h('p', { 'data-testid': 'cs-error', role: 'alert', text: t('loadFailed') }),
      h('button', { type: 'button', class: 'btn secondary', text: t('retry'), onclick: function () { setView('loading'); boot(); } })
    ));
  }

  // visitorFields builds the pre-chat inputs; returns {els, values(), setError(field, text), clear()}.
  function visitorFields(form, prefix) {
    var pc = (state.config && state.config.prechat) || { name: 'required', email: 'optional', phone: 'optional' };
    var defs = [
      { key: 'name', type: 'text', autocomplete: 'name' },
      { key: 'email', type: 'email', autocomplete: 'email', inputmode: 'email' },
      { key: 'phone', type: 'tel', autocomplete: 'tel', inputmode: 'tel' }
    ];
    var fields = {};
    defs.forEach(function (d) {
      var mode = pc[d.key] || 'optional';
      if (mode === 'hidden') return;
      var id = 'cs-' + prefix + '-' + d.key;
      var err = h('div', { class: 'error', id: id + '-err', 'data-testid': 'cs-error', 'data-field': d.key, hidden: true, role: 'alert' });
      var input = h('input', {
        id: id, name: d.key, type: d.type, autocomplete: d.autocomplete, inputmode: d.inputmode, maxlength: '200',
        required: mode === 'required', 'aria-required': mode === 'required' ? 'true' : null, 'aria-describedby': id + '-err',
        'data-testid': 'cs-prechat-' + d.key
      });
      var wrap = h('div', { class: 'field' },
        h('label', { for: id }, t(d.key), mode === 'required' ? h('span', { class: 'req', title: t('requiredMark'), 'aria-hidden': 'true', text: '*' }) : null),
        input, err);
      input.addEventListener('input', function () { setErr(d.key, ''); });
      fields[d.key] = { mode: mode, input: input, err: err, wrap: wrap };
      form.append(wrap);
    });
    function setErr(key, text) {
      var f = fields[key];
      if (!f) return false;
      f.err.textContent = text;
      f.err.hidden = !text;
      f.wrap.classList.toggle('invalid', !!text);
      f.input.setAttribute('aria-invalid', text ? 'true' : 'false');
      return true;
    }
    return {
      values: function () {
        var v = { name: '', email: '', phone: '' };
        Object.keys(fields).forEach(function (k) { v[k] = fields[k].input.value.trim(); });
        return v;
      },
      // validate checks the form like the server does; focuses the first bad field.
      validate: function () {
        var first = null;
        Object.keys(fields).forEach(function (k) {
          var f = fields[k], v = f.input.value.trim(), msg = '';
          if (f.mode === 'required' && !v) msg = t('errRequired');
          else if (v && k === 'email' && !/^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(v)) msg = t('errEmail');
          else if (v && k === 'phone' && !validPhone(v)) msg = t('errPhone');
          setErr(k, msg);
          if (msg && !first) first = f.input;
        });
        if (first) first.focus();
        return !first;
      },
      setError: function (key, text) {
        var ok = setErr(key, text);
        if (ok) fields[key].input.focus();
        return ok;
      }
    };
  }
  function validPhone(s) {
    if (/[^0-9+\-(). ]/.test(s)) return false;
    var d = s.replace(/\D/g, '').length;
    return d >= 8 && d <= 15;
  }

  function formError() {
    return h('div', { class: 'error', 'data-testid': 'cs-error', role: 'alert', hidden: true });
  }
  function showFormError(el, text) { el.textContent = text || ''; el.hidden = !text; }

  function renderPrechat() {
    var form = h('form', { class: 'form', 'data-testid': 'cs-prechat', novalidate: true });
    if (state.notice) form.append(h('p', { class: 'notice', role: 'status', text: state.notice }));
    if (state.config.welcome_message) form.append(h('p', { class: 'intro', 'data-testid': 'cs-welcome', text: state.config.welcome_message }));
    form.append(h('p', { class: 'intro', text: t('prechatIntro') }));
    var fields = visitorFields(form, 'pre');
    var err = formError();
    var submit = h('button', { type: 'submit', class: 'btn', 'data-testid': 'cs-prechat-submit', text: t('start') });
    form.append(err, submit);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      showFormError(err, '');
      if (submit.disabled || !fields.validate()) return;
      submit.disabled = true;
      submit.textContent = t('starting');
      api('POST', '/visitors', fields.values()).then(function (res) {
        state.notice = '';
        setToken(res.visitor_token);
        state.messages = new Map();
        setView('chat');
        connect();
      }, function (e2) {
        submit.disabled = false;
        submit.textContent = t('start');
        if (e2.status === 422 && e2.problem && fields.setError(e2.problem.field, fieldError(e2.problem.field, e2.problem.detail))) return;
        showFormError(err, genericError(e2));
      });
    });
    ui.body.append(form);
  }

  function renderOffline() {
    var form = h('form', { class: 'form', 'data-testid': 'cs-offline-form', novalidate: true });
    form.append(h('p', { class: 'notice', 'data-testid': 'cs-offline-message', text: state.config.offline_message || t('offline') }));
    var fields = visitorFields(form, 'off');
    var msgErr = h('div', { class: 'error', id: 'cs-off-message-err', 'data-testid': 'cs-error', 'data-field': 'message', role: 'alert', hidden: true });
    var msg = h('textarea', { id: 'cs-off-message', name: 'message', required: true, 'aria-required': 'true', 'aria-describedby': 'cs-off-message-err', 'data-testid': 'cs-offline-message-input', maxlength: String(MAX_TEXT) });
    var msgWrap = h('div', { class: 'field' }, h('label', { for: 'cs-off-message' }, t('message'), h('span', { class: 'req', 'aria-hidden': 'true', text: '*' })), msg, msgErr);
    function setMsgErr(text) { showFormError(msgErr, text); msgWrap.classList.toggle('invalid', !!text); msg.setAttribute('aria-invalid', text ? 'true' : 'false'); }
    msg.addEventListener('input', function () { setMsgErr(''); });
    var err = formError();
    var submit = h('button', { type: 'submit', class: 'btn', 'data-testid': 'cs-offline-submit', text: t('sendForm') });
    form.append(msgWrap, err, submit);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      showFormError(err, '');
      if (submit.disabled) return;
      var ok = fields.validate();
      var text = msg.value;
      var msgProblem = !text.trim() ? t('errEmpty') : text.length > MAX_TEXT ? t('errTextTooLong', { max: MAX_TEXT, n: text.length }) : '';
      setMsgErr(msgProblem);
      if (!ok || msgProblem) { if (ok) msg.focus(); return; }
      submit.disabled = true;
      submit.textContent = t('sendingForm');
      var body = fields.values();
      body.message = text;
      api('POST', '/contact-form', body).then(function (res) {
        if (res && res.visitor_token) setToken(res.visitor_token);
        setView('offline-sent');
      }, function (e2) {
        submit.disabled = false;
        submit.textContent = t('sendForm');
        if (e2.status === 422 && e2.problem) {
          var f = e2.problem.field;
          if (f === 'message') { setMsgErr(fieldError(f, e2.problem.detail)); msg.focus(); return; }
          if (fields.setError(f, fieldError(f, e2.problem.detail))) return;
        }
        showFormError(err, genericError(e2));
      });
    });
    ui.body.append(form);
  }

  function renderOfflineSent() {
    ui.body.append(h('div', { class: 'center', 'data-testid': 'cs-offline-thanks' },
      h('p', { role: 'status', text: t('thanks') }),
      state.token ? h('button', { type: 'button', class: 'btn secondary', text: t('viewConversation'), onclick: function () { setView('chat'); connect(); } }) : null
    ));
  }

  function renderChat() {
    ui.status = h('div', { class: 'status', role: 'status', hidden: true });
    ui.list = h('div', { class: 'scroll', 'data-testid': 'cs-messages', role: 'log', 'aria-live': 'polite' });
    if (state.config.welcome_message) ui.list.append(bubbleRow({ direction: 'outbound', body: state.config.welcome_message, author: state.config.title }, 'cs-welcome'));
    if (!state.config.online) ui.list.append(h('p', { class: 'notice', 'data-testid': 'cs-offline-message', text: state.config.offline_message || t('offline') }));
    ui.error = h('div', { class: 'composer-error', 'data-testid': 'cs-error', role: 'alert', hidden: true });
    ui.input = h('textarea', { rows: '1', placeholder: t('placeholder'), 'aria-label': t('placeholder'), 'data-testid': 'cs-input', maxlength: String(MAX_TEXT + 500) });
    ui.send = h('button', { type: 'button', class: 'send', 'data-testid': 'cs-send', text: t('send'), disabled: true });
    ui.counter = h('div', { class: 'counter', hidden: true, 'aria-live': 'polite' });
    ui.fileInput = h('input', { type: 'file', multiple: true, accept: ACCEPT, hidden: true, tabindex: '-1', 'aria-hidden': 'true', 'data-testid': 'cs-attach-input' });
    ui.attach = h('button', { type: 'button', class: 'attach', 'data-testid': 'cs-attach', 'aria-label': t('attach'), title: t('attach') });
    ui.attach.innerHTML = ICON_CLIP; // static markup, no visitor data
    ui.chips = h('div', { class: 'chips', 'data-testid': 'cs-attach-list', 'aria-live': 'polite', hidden: true });
    ui.attach.addEventListener('click', function () { ui.fileInput.click(); });
    ui.fileInput.addEventListener('change', function () {
      var picked = Array.prototype.slice.call(ui.fileInput.files || []);
      ui.fileInput.value = ''; // picking the same file again fires change again
      addFiles(picked);
    });
    ui.input.addEventListener('input', onDraft);
    ui.input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendDraft(); }
    });
    ui.send.addEventListener('click', sendDraft);
    ui.body.append(ui.status, ui.list, ui.error, ui.counter, ui.chips, h('div', { class: 'composer' }, ui.attach, ui.fileInput, ui.input, ui.send));
    sortedMessages().forEach(function (m) { placeNode(m); });
    renderChips();
    scrollToEnd();
  }

  function onDraft() {
    var n = ui.input.value.length;
    refreshSend();
    ui.counter.hidden = n < MAX_TEXT - 200;
    ui.counter.textContent = n + ' / ' + MAX_TEXT;
    ui.counter.classList.toggle('over', n > MAX_TEXT);
    ui.input.style.height = 'auto';
    ui.input.style.height = Math.min(ui.input.scrollHeight + 2, 120) + 'px';
    if (!ui.error.hidden && !state.sending) showComposerError('');
  }
  function showComposerError(text) { ui.error.textContent = text || ''; ui.error.hidden = !text; }

  // ---------------------------------------------------------------- attachments (composer)
  function readyFiles() { return state.files.filter(function (f) { return f.attachment && !f.error; }); }
  function uploadingFiles() { return state.files.some(function (f) { return f.uploading; }); }

  function refreshSend() {
    if (!ui.send || !ui.input) return;
    ui.send.disabled = state.sending || uploadingFiles() || (!ui.input.value.trim() && readyFiles().length === 0);
  }

  // addFiles takes what the visitor picked: each file gets a chip and is
  // uploaded at once; the ones that cannot go say why on their chip.
  function addFiles(list) {
    if (!list.length) return;
    showComposerError('');
    list.forEach(function (file) {
      var f = { key: 'f' + (++fileSeq), file: file, name: file.name || 'arquivo', size: file.size, attachment: null, error: '', retryable: false, uploading: false };
      if (!roomForFile()) { f.error = t('errTooManyFiles', { max: MAX_FILES }); f.retryable = true; } // once some are sent, it can go
      else if (file.size > MAX_FILE_SIZE) f.error = t('errFileTooBig');
      else if (file.size === 0) f.error = t('errFileEmpty');
      state.files.push(f);
      if (!f.error) upload(f);
    });
    renderChips();
    refreshSend();
  }

  function upload(f) {
    f.uploading = true;
    f.error = '';
    f.retryable = false;
    var form = new FormData();
    form.append('file', f.file, f.name);
    var token = state.token;
    api('POST', '/attachments', form, true).then(function (a) {
      f.uploading = false;
      f.attachment = a && a.id ? a : null;
      if (!f.attachment) { f.error = t('errServer', { status: 201 }); f.retryable = true; }
      done();
    }, function (err) {
      f.uploading = false;
      f.error = uploadError(err);
      f.retryable = err.status === 0 || err.status === 429 || err.status >= 500;
      done();
    });
    function done() {
      if (state.token !== token || state.files.indexOf(f) < 0) return; // removed meanwhile, or the session changed
      renderChips();
      refreshSend();
    }
  }

  function roomForFile() { return state.files.filter(function (x) { return !x.error; }).length < MAX_FILES; }

  function retryFile(f) {
    if (f.uploading) return;
    if (!roomForFile()) f.error = t('errTooManyFiles', { max: MAX_FILES });
    else upload(f);
    renderChips();
    refreshSend();
  }

  function removeFile(f) {
    state.files = state.files.filter(function (x) { return x !== f; });
    renderChips();
    refreshSend();
    if (ui.input) ui.input.focus();
  }

  function renderChips() {
    if (!ui.chips) return;
    var atEnd = nearEnd(); // the chips take room from the list: keep the last message in view
    ui.chips.textContent = '';
    ui.chips.hidden = state.files.length === 0;
    state.files.forEach(function (f) {
      var status = f.error ? 'error' : f.uploading ? 'uploading' : 'ready';
      var meta = f.error || (f.uploading ? formatSize(f.size) + ' · ' + t('uploading') : formatSize(f.size));
      ui.chips.append(h('div', { class: 'chip' + (f.error ? ' error' : ''), 'data-testid': 'cs-attach-chip', 'data-name': f.name, 'data-state': status, title: f.name },
        h('span', { class: 'name', text: f.name }),
        h('span', { class: 'meta', 'data-testid': f.error ? 'cs-attach-error' : null, role: f.error ? 'alert' : null, text: meta }),
        f.error && f.retryable ? h('button', { type: 'button', class: 'retry', 'data-testid': 'cs-attach-retry', text: t('retryUpload'), onclick: function () { retryFile(f); } }) : null,
        h('button', { type: 'button', 'data-testid': 'cs-attach-remove', 'aria-label': t('removeFile', { name: f.name }), title: t('removeFile', { name: f.name }), text: '×', onclick: function () { removeFile(f); } })
      ));
    });
    ui.chips.scrollTop = ui.chips.scrollHeight; // the newest chips (and their errors) are last
    if (atEnd) scrollToEnd();
  }

  function formatSize(bytes) {
    var n = Number(bytes) || 0;
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return Math.max(1, Math.round(n / 1024)) + ' KB';
    var mb = (n / 1024 / 1024).toFixed(1);
    return (lang === 'en' ? mb : mb.replace('.', ',')) + ' MB';
  }

  function sendDraft() {
    if (state.sending || state.view !== 'chat') return;
    var text = ui.input.value;
    if (uploadingFiles()) { showComposerError(t('errUploading')); return; }
    var files = readyFiles();
    var ids = files.map(function (f) { return f.attachment.id; });
    if (!text.trim() && !ids.length) { showComposerError(t('errEmpty')); return; }
    if (text.length > MAX_TEXT) { showComposerError(t('errTextTooLong', { max: MAX_TEXT, n: text.length })); return; }
    // A retry of the same draft reuses the id, so the server stores it once.
    var draftSig = text + '\n' + ids.join(',');
    var clientId = state.lastSend && state.lastSend.sig === draftSig ? state.lastSend.clientId : uuid();
    state.lastSend = { sig: draftSig, clientId: clientId };
    state.sending = true;
    ui.send.disabled = true;
    ui.send.textContent = t('sending');
    showComposerError('');
    var body = { text: text, client_id: clientId };
    if (ids.length) body.attachment_ids = ids;
    api('POST', '/messages', body, true).then(function (m) {
      state.sending = false;
      state.lastSend = null;
      // Clear what was sent, not what the visitor added meanwhile.
      state.files = state.files.filter(function (f) { return files.indexOf(f) < 0; });
      renderChips();
      if (ui.input) {
        ui.send.textContent = t('send');
        if (ui.input.value === text) ui.input.value = '';
        onDraft();
        ui.input.focus();
      }
      if (m && m.id) upsert(m);
    }, function (e) {
      state.sending = false;
      if (state.view !== 'chat') return; // token rejected: the form is back
      ui.send.textContent = t('send');
      onDraft();
      var text2 = e.status === 422 && e.problem && e.problem.field === 'text' ? fieldError('text', e.problem.detail) : genericError(e);
      showComposerError(text2);
    });
  }

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var s = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return s.slice(0, 8) + '-' + s.slice(8, 12) + '-' + s.slice(12, 16) + '-' + s.slice(16, 20) + '-' + s.slice(20);
  }

  // ---------------------------------------------------------------- messages
  function sortedMessages() {
    return Array.from(state.messages.values()).sort(compare);
  }
  function compare(a, b) {
    var ta = parseTime(a.created_at), tb = parseTime(b.created_at);
    return ta - tb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }

  function upsert(m) {
    if (!m || !m.id) return;
    var old = state.messages.get(m.id);
    var merged = old ? Object.assign({}, old, m) : m;
    if (old && !m.author && old.author) merged.author = old.author; // the send answer carries no author
    state.messages.set(m.id, merged);
    if (ui.list) placeNode(merged);
    if (merged.direction === 'outbound') {
      if (visible() && state.view === 'chat') markSeen();
      else updateBalloon();
    }
  }

  function bubbleRow(m, testid) {
    var side = m.direction === 'inbound' ? 'in' : 'out';
    var bubble = h('div', { class: 'bubble' });
    if (m.body) {
      var text = h('div', { class: 'text' });
      linkify(text, m.body);
      bubble.append(text);
    }
    var files = Array.isArray(m.attachments) ? m.attachments.filter(function (a) { return a && a.id && a.url; }) : [];
    if (files.length) bubble.append(h('ul', { class: 'files' }, files.map(function (a) { return h('li', { class: /^image\//.test(String(a.content_type || '')) ? 'pic' : 'doc' }, attachmentNode(a)); })));
    var row = h('div', { class: 'row ' + side, 'data-testid': testid, 'data-direction': m.direction },
      side === 'out' ? h('div', { class: 'author', text: m.author || (state.config && state.config.title) || t('agent') }) : null,
      bubble,
      m.created_at ? h('time', { class: 'time', datetime: m.created_at, text: formatTime(m.created_at) }) : null
    );
    return row;
  }

  function placeNode(m) {
    var old = ui.nodes.get(m.id);
    var row = bubbleRow(m, 'cs-message');
    row.setAttribute('data-id', m.id);
    row.setAttribute('data-status', m.status || '');
    if (old) {
      // Same text and time: only the status changed, keep the node.
      if (old.getAttribute('data-sig') === sig(m)) { old.setAttribute('data-status', m.status || ''); return; }
      row.setAttribute('data-sig', sig(m));
      old.replaceWith(row);
      ui.nodes.set(m.id, row);
      return;
    }
    row.setAttribute('data-sig', sig(m));
    var atEnd = nearEnd();
    // Insert before the first later message (history and live events interleave).
    var next = null;
    ui.nodes.forEach(function (node, id) {
      var other = state.messages.get(id);
      if (other && compare(m, other) < 0 && (!next || compare(other, state.messages.get(next.getAttribute('data-id'))) < 0)) next = node;
    });
    if (next) ui.list.insertBefore(row, next);
    else ui.list.appendChild(row);
    ui.nodes.set(m.id, row);
    if (atEnd || m.direction === 'inbound') scrollToEnd();
  }
  function sig(m) {
    var files = Array.isArray(m.attachments) ? m.attachments.map(function (a) { return a && a.id; }).join(',') : '';
    return (m.body || '') + '|' + (m.author || '') + '|' + (m.created_at || '') + '|' + files;
  }

  // fileUrl is where the browser loads a message's file: the server gives
  // a path on its origin, which needs the visitor token as ?token=.
  function fileUrl(a) {
    var u;
    try { u = new URL(a.url, origin); } catch (e) { return ''; }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return '';
    if (u.origin === origin && state.token) u.searchParams.set('token', state.token);
    return u.href;
  }

  // attachmentNode: images as a thumbnail opening the full picture in a new
  // tab, other files as a download link with name and size.
  function attachmentNode(a) {
    var url = fileUrl(a);
    var name = String(a.name || 'arquivo');
    var type = String(a.content_type || '');
    var common = { 'data-testid': 'cs-attachment', 'data-name': name, 'data-id': a.id, 'data-type': type, href: url || null, target: '_blank', rel: 'noopener noreferrer', referrerpolicy: 'no-referrer' };
    if (/^image\//.test(type) && url) {
      var link = h('a', Object.assign({ class: 'image', title: t('openImage', { name: name }), 'data-kind': 'image' }, common));
      var img = h('img', { src: url, alt: name, loading: 'lazy', decoding: 'async', referrerpolicy: 'no-referrer' });
      img.addEventListener('load', function () {
        var l = ui.list;
        if (l && l.contains(img) && l.scrollHeight - l.scrollTop - l.clientHeight < 80 + img.offsetHeight) scrollToEnd();
      });
      // A picture that does not load still offers its file.
      img.addEventListener('error', function () {
        if (!link.isConnected) return;
        if (link.parentNode) link.parentNode.className = 'doc';
        link.replaceWith(fileLink(a, url, name, common));
      });
      link.append(img);
      return link;
    }
    return fileLink(a, url, name, common);
  }
  function fileLink(a, url, name, common) {
    return h('a', Object.assign({ class: 'file', download: name, title: t('download', { name: name }), 'data-kind': 'file' }, common),
      h('span', { 'aria-hidden': 'true', text: '📎' }),
      h('span', { class: 'fname', text: name }),
      h('span', { class: 'fsize', text: '(' + formatSize(a.size) + ')' }));
  }

  function nearEnd() {
    var l = ui.list;
    return !l || l.scrollHeight - l.scrollTop - l.clientHeight < 80;
  }
  function scrollToEnd() {
    var l = ui.list;
    if (l) requestAnimationFrame(function () { l.scrollTop = l.scrollHeight; });
  }

  // parseTime reads the server's RFC 3339 times; the fraction is cut to
  // milliseconds, which every browser's Date.parse accepts.
  function parseTime(iso) {
    if (!iso) return 0;
    var ms = Date.parse(String(iso).replace(/(\.\d{3})\d+/, '$1'));
    return isNaN(ms) ? 0 : ms;
  }

  function formatTime(iso) {
    var d = new Date(parseTime(iso));
    if (isNaN(d)) return '';
    try { return d.toLocaleTimeString(lang === 'en' ? 'en' : 'pt-BR', { hour: '2-digit', minute: '2-digit' }); } catch (e) { return ''; }
  }

  function linkify(el, text) {
    var re = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g, last = 0, m;
    while ((m = re.exec(text))) {
      if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
      el.appendChild(h('a', { href: m[0], target: '_blank', rel: 'noopener noreferrer nofollow', text: m[0] }));
      last = m.index + m[0].length;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }

  // ---------------------------------------------------------------- token & stream
  function setToken(token) {
    state.token = token;
    store.set(tokenKey, token);
  }

  // tokenRejected: a 401 means the token is forged, expired or its visitor
  // is gone. Forget it and ask for the visitor's details again.
  function tokenRejected() {
    if (!state.token) return;
    state.token = null;
    store.del(tokenKey);
    disconnect();
    state.messages = new Map();
    state.seen = new Set();
    state.lastSend = null;
    state.files = [];
    state.notice = t('errExpired');
    setView(state.config && !state.config.online ? 'offline' : 'prechat');
    updateBalloon();
  }

  var es = null, retryTimer = null, retryDelay = 2000;
  function connect() {
    disconnect();
    if (!state.token || typeof EventSource === 'undefined') return;
    var source = new EventSource(base + '/stream?token=' + encodeURIComponent(state.token));
    es = source;
    source.addEventListener('open', function () {
      retryDelay = 2000;
      setStatus('');
    });
    source.addEventListener('message', function (e) {
      try { upsert(JSON.parse(e.data)); } catch (err) { /* ignore a malformed event */ }
    });
    source.addEventListener('error', function () {
      if (es !== source) return;
      if (source.readyState === EventSource.CONNECTING) { setStatus(t('reconnecting')); return; } // the browser retries
      // Closed for good (e.g. 401 or a server error): find out why.
      setStatus(t('reconnecting'));
      source.close();
      es = null;
      api('GET', '/messages', undefined, true).then(function (res) {
        (res && res.items || []).forEach(upsert);
        later();
      }, function (err) {
        if (err.status !== 401) later();
      });
    });
    function later() {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    }
  }
  function disconnect() {
    clearTimeout(retryTimer);
    if (es) { es.close(); es = null; }
    setStatus('');
  }
  function setStatus(text) {
    if (!ui.status) return;
    ui.status.textContent = text;
    ui.status.hidden = !text;
  }

  // ---------------------------------------------------------------- boot
  var configTries = 0;
  function boot() {
    api('GET', '/config').then(function (cfg) {
      state.config = cfg || {};
      if (!host) mount();
      applyConfig(state.config);
      if (state.token) {
        setView('loading');
        return api('GET', '/messages', undefined, true).then(function (res) {
          (res && res.items || []).forEach(function (m) { state.messages.set(m.id, m); });
          setView('chat');
          connect();
          markSeen();
          updateBalloon();
        }, function (err) {
          if (err.status === 401) return; // tokenRejected already showed the form
          setView('error');
        });
      }
      setView(state.config.online ? 'prechat' : 'offline');
    }).then(function () {
      if (state.wantOpen) open();
    }, function (err) {
      if (err.status >= 400 && err.status < 500) {
        console.warn('[chatspot] webchat ' + channelId + ' is not available: ' + err.message);
        return;
      }
      // Network or server trouble: try again a few times, quietly.
      if (++configTries <= 5) setTimeout(boot, Math.min(60000, 3000 * configTries * configTries));
      else if (host) setView('error');
    });
  }

  window.ChatspotWidget = { version: '1', open: open, close: close };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
