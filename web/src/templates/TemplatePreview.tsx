// A template as the customer will see it on WhatsApp: header in bold, the
// body with its variables filled (the ones still empty marked), the footer
// in small grey. Used by the create form (with the examples) and by the
// composer's picker (with the values to send).
import { useI18n } from '../i18n'
import { renderSegments } from './templateLogic'

export function TemplatePreview({
  header,
  body,
  footer,
  values,
  testId = 'template-preview',
}: {
  header: string
  body: string
  footer: string
  values: readonly string[]
  testId?: string
}) {
  const { t } = useI18n()
  return (
    <div className="tpl-preview" aria-label={t('templates.preview')} data-testid={testId}>
      <div className="tpl-bubble">
        {header.trim() && (
          <div className="tpl-header" data-testid={`${testId}-header`}>
            {header.trim()}
          </div>
        )}
        <div className="tpl-body" data-testid={`${testId}-body`}>
          {body.trim() ? (
            renderSegments(body.trim(), values).map((s, i) =>
              s.variable ? (
                <mark key={i} className={`tpl-var${s.missing ? ' is-missing' : ''}`} data-variable={s.variable}>
                  {s.text}
                </mark>
              ) : (
                <span key={i}>{s.text}</span>
              ),
            )
          ) : (
            <span className="muted">{t('templates.previewEmpty')}</span>
          )}
        </div>
        {footer.trim() && (
          <div className="tpl-footer" data-testid={`${testId}-footer`}>
            {footer.trim()}
          </div>
        )}
      </div>
    </div>
  )
}
