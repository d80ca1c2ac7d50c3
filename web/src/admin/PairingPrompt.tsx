// What an activation step asks the manager to do while it waits, for any
// kind whose step carries a prompt: a QR code to scan with the phone, drawn
// as SVG from the code's text and redrawn whenever the provider rotates it
// (a channel.updated event or a poll brings the new one), or a code to type
// on the phone. Each comes with the kind's own instructions when the
// dictionary has them (WhatsApp: Dispositivos conectados > Conectar
// dispositivo), a generic line otherwise.
import { QRCodeSVG } from 'qrcode.react'
import type { ActivationPrompt } from '../api/types'
import { useI18n } from '../i18n'
import { promptInstructions } from './channelsLogic'
import type { PromptType } from './channelsLogic'

/** Big enough for a phone camera at arm's length; the 4-module quiet zone the spec asks for included. */
const QR_SIZE = 232

export function PairingPrompt({ kind, prompt }: { kind: string; prompt: ActivationPrompt & { type: PromptType } }) {
  const { t } = useI18n()
  const { lines } = promptInstructions(kind, prompt.type, t)
  return (
    <div className={`pairing-prompt is-${prompt.type}`} data-testid="pairing-prompt" data-type={prompt.type} data-expires={prompt.expires || undefined}>
      {prompt.type === 'qr' ? (
        <div className="pairing-qr">
          <QRCodeSVG
            value={prompt.value}
            size={QR_SIZE}
            marginSize={4}
            level="L"
            bgColor="#ffffff"
            fgColor="#000000"
            role="img"
            aria-label={t('admin.channels.prompt.qrAlt')}
            data-testid="pairing-qr"
          />
        </div>
      ) : (
        <p className="pairing-code" data-testid="pairing-code-box">
          <span className="sr-only">{t('admin.channels.prompt.codeLabel')} </span>
          <span className="mono" data-testid="pairing-code">
            {prompt.value}
          </span>
        </p>
      )}
      <div className="pairing-help">
        <ol className="pairing-instructions" data-testid="pairing-instructions">
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ol>
        <p className="field-help muted">{t(prompt.type === 'qr' ? 'admin.channels.prompt.qrRotates' : 'admin.channels.prompt.codeWait')}</p>
      </div>
    </div>
  )
}
