// Attention cues for new messages: a short chime made with WebAudio (no
// audio asset) and a count in the tab title while the tab is hidden.
import { titleWithBadge } from './inbox/inboxLogic'

let ctx: AudioContext | null = null
let lastChime = 0

export function playChime(now: number = Date.now()): void {
  if (now - lastChime < 1500) return // a burst of messages gets one chime
  lastChime = now
  try {
    const AC: typeof AudioContext | undefined =
      globalThis.AudioContext ?? (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
    if (!AC) return
    ctx = ctx ?? new AC()
    if (ctx.state === 'suspended') void ctx.resume()
    const t0 = ctx.currentTime
    const gain = ctx.createGain()
    gain.connect(ctx.destination)
    gain.gain.setValueAtTime(0.0001, t0)
    gain.gain.exponentialRampToValueAtTime(0.18, t0 + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.42)
    for (const [freq, start] of [
      [880, 0],
      [1320, 0.12],
    ] as const) {
      const osc = ctx.createOscillator()
      osc.type = 'sine'
      osc.frequency.setValueAtTime(freq, t0 + start)
      osc.connect(gain)
      osc.start(t0 + start)
      osc.stop(t0 + 0.45)
    }
  } catch {
    // no sound available (autoplay policy, old browser): the badge still shows
  }
}

const BASE_TITLE = 'CHATSPOT'
let hiddenCount = 0
let listening = false

function render() {
  document.title = titleWithBadge(BASE_TITLE, hiddenCount)
}

/** Count a new message for the title badge; it only counts while the tab is hidden. */
export function noteArrival(): void {
  if (!listening) {
    listening = true
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) {
        hiddenCount = 0
        render()
      }
    })
  }
  if (document.hidden) {
    hiddenCount++
    render()
  }
}

export function resetTitle(): void {
  hiddenCount = 0
  render()
}
