import { describe, expect, it } from 'vitest'
import { render, screen } from '@testing-library/react'
import type { ReactElement } from 'react'
import { I18nProvider } from '../i18n'
import type { Lang } from '../i18n'
import { readQr } from './adminTestKit'
import { PairingPrompt } from './PairingPrompt'

// what whatsmeow hands over: "2@<ref>,<noise key>,<identity key>,<adv secret>"
const QR_1 = '2@Y3m8Lq0xVbN2rT7kP4sW9dF1hJ6gZ5cX0aE3uI8oR2yQ7nM4vB1tK6wS9pL5jH0fD3gC8zA2xE7,pW8dR2sT5vY1bN4mQ7kJ0hG3fC6xZ9aE2uI5oL8yP1=,tK4wS7pL0jH3fD6gC9zA2xE5vB8nM1qR4yU7iO0aS3=,Zx8Cv5Bn2Mq9Wr6Ty3Ui0Op7As4Df1Gh8Jk5Lz2Xc='
const QR_2 = '2@Hn5Jm2Kq8Lw1Ze4Xr7Ct0Vy3Bu6Ni9Mo2Pa5Sd8Fg1Hj4Kl7Zx0Cv3Bn6Mq9Wr2Ty5Ui8Op1As,pW8dR2sT5vY1bN4mQ7kJ0hG3fC6xZ9aE2uI5oL8yP1=,tK4wS7pL0jH3fD6gC9zA2xE5vB8nM1qR4yU7iO0aS3=,Zx8Cv5Bn2Mq9Wr6Ty3Ui0Op7As4Df1Gh8Jk5Lz2Xc='

function inLang(ui: ReactElement, lang: Lang = 'pt-BR') {
  return <I18nProvider initial={lang}>{ui}</I18nProvider>
}

describe('PairingPrompt', () => {
  it('draws the QR code of the value, and a new one when WhatsApp rotates it', () => {
    const { rerender } = render(inLang(<PairingPrompt kind="whatsapp" prompt={{ type: 'qr', value: QR_1, expires: '2025-05-01T12:00:20Z' }} />))
    const img = screen.getByRole('img', { name: 'QR Code para escanear com o celular' })
    expect(img.tagName.toLowerCase()).toBe('svg')
    expect(readQr(img)).toBe(QR_1)
    // the text itself is not on the page: only the image carries it
    expect(document.body.textContent).not.toContain(QR_1)

    rerender(inLang(<PairingPrompt kind="whatsapp" prompt={{ type: 'qr', value: QR_2, expires: '2025-05-01T12:00:40Z' }} />))
    expect(readQr(screen.getByRole('img', { name: 'QR Code para escanear com o celular' }))).toBe(QR_2)
  })

  it("tells how to scan with WhatsApp's own menu names, in each language", () => {
    const { unmount } = render(inLang(<PairingPrompt kind="whatsapp" prompt={{ type: 'qr', value: QR_1 }} />))
    const steps = screen.getAllByRole('listitem').map((li) => li.textContent)
    expect(steps).toEqual([
      'Abra o WhatsApp no celular do número que vai atender os clientes.',
      'Toque em Mais opções ⋮ (Android) ou em Configurações (iPhone) e depois em Dispositivos conectados.',
      'Toque em Conectar dispositivo.',
      'Aponte a câmera do celular para este código.',
    ])
    unmount()
    render(inLang(<PairingPrompt kind="whatsapp" prompt={{ type: 'qr', value: QR_1 }} />, 'en'))
    expect(screen.getByRole('img', { name: 'QR code to scan with the phone' })).toBeInTheDocument()
    expect(screen.getByTestId('pairing-instructions')).toHaveTextContent('Linked devices')
    expect(screen.getByTestId('pairing-instructions')).toHaveTextContent('Link a device')
  })

  it('shows a pairing code big, to type on the phone', () => {
    render(inLang(<PairingPrompt kind="whatsapp" prompt={{ type: 'code', value: 'ABCD-EFGH' }} />))
    expect(screen.getByTestId('pairing-code')).toHaveTextContent(/^ABCD-EFGH$/)
    expect(screen.getByTestId('pairing-code-box')).toHaveTextContent('Código de pareamento: ABCD-EFGH')
    expect(screen.queryByRole('img')).not.toBeInTheDocument()
    expect(screen.getByTestId('pairing-instructions')).toHaveTextContent('Toque em Conectar dispositivo e depois em Conectar com número de telefone.')
    expect(screen.getByTestId('pairing-instructions')).toHaveTextContent('Digite este código no celular.')
  })

  it("gives any other kind's prompt a generic line", () => {
    render(inLang(<PairingPrompt kind="signal" prompt={{ type: 'qr', value: 'sgnl://linkdevice?uuid=abc' }} />))
    expect(readQr(screen.getByRole('img'))).toBe('sgnl://linkdevice?uuid=abc')
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Escaneie este código com o celular.'])
  })
})
