"""What every app may import and that knows no app: htmx answers, typed requests and
responses, email sending, enqueueing on commit, the client address, rate limits, number
formatting and the versioned update. Nothing here imports an app or `config`."""
