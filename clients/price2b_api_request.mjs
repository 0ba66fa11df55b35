// Price2b's documented error handler (seed 004, "Handling errors"), written out in our own words:
// RATE_001 waits retry_after seconds and tries again; AUTH_001 and VAL_001 raise. Run with the
// machine's node (fetch is built in). Prints one JSON object: what each case saw.
const base = process.env.PRICE2B_BASE_URL;
const waits = [];

class ValidationError extends Error {
  constructor(errors) {
    super('Validation failed');
    this.errors = errors;
  }
}

const sleep = (ms) => { waits.push(ms); return new Promise((resolve) => setTimeout(resolve, ms)); };

async function apiRequest(endpoint, token, options = {}) {
  const response = await fetch(`${base}/api/v1${endpoint}`, {
    ...options,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...options.headers },
  });
  const data = await response.json();
  if (!data.success) {
    switch (data.error_code) {
      case 'AUTH_001':
        throw new Error('Invalid API token');
      case 'RATE_001':
        await sleep(data.retry_after * 1000);
        return apiRequest(endpoint, token, options);
      case 'VAL_001':
        throw new ValidationError(data.errors);
      default:
        throw new Error(data.message);
    }
  }
  return data;
}

async function outcome(work) {
  try {
    const data = await work();
    return { ok: true, data };
  } catch (error) {
    return { ok: false, name: error.constructor.name, message: error.message, errors: error.errors ?? null };
  }
}

const [goodToken, burstToken] = [process.env.PRICE2B_TOKEN, process.env.PRICE2B_BURST_TOKEN];
const result = {};
const started = Date.now();
result.burst = [];
for (let i = 0; i < 5; i += 1) {
  result.burst.push(await outcome(() => apiRequest('/orders', burstToken)));
}
result.burstMillis = Date.now() - started;
result.waits = waits;
result.auth = await outcome(() => apiRequest('/orders', 'not-a-token'));
result.validation = await outcome(() => apiRequest('/shipping/quotes', goodToken, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ origin: 'US', weight: 0 }),
}));
console.log(JSON.stringify(result));
