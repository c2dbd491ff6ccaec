// tiktok-edge: Commanders Act events -> TikTok server-side requests.
// Every function is synchronous. Bad arguments throw a `TikTokEdgeError`.

/** A `{{path}}` template or a literal; whole templates keep the JSON type of the value. */
export type Setting = string;

interface CommonDestination {
  /** Unique id, echoed in every result. */
  id: string;
  /** Name of the secret holding the TikTok access token (default `TIKTOK_ACCESS_TOKEN`). */
  access_token_secret?: string;
  /** Send only events whose `user.consent_categories` contains this category. */
  consent_category?: Setting;
}

/** Smart Mapping field names in snake_case; a value is a dot path, `""` turns the field off. */
export type SmartMapping = Partial<Record<string, string>>;

export interface EventsApiDestination extends CommonDestination {
  type: "events_api";
  pixel_id?: Setting;
  app_id?: Setting;
  test_event_code?: Setting;
  environment?: "production" | "staging" | "development";
  /** CA event name -> TikTok event name (overrides and extends the standard table). */
  event_mapping?: Record<string, string>;
  view_content_mapping?: Array<"page_view" | "view_item">;
  autodiscovery_event_source?: boolean;
  do_not_lowercase_user_id?: boolean;
  smart_mapping?: SmartMapping;
  /** TikTok `properties` field -> dot path in the event. */
  custom_event_properties?: Record<string, string>;
  /** TikTok `user` field -> dot path in the event. */
  custom_user_properties?: Record<string, string>;
  send_unmapped_events?: boolean;
  /** Derive a stable `event_id` from the event's content when it has no `id` (default true). */
  derive_event_id?: boolean;
  event_names?: "seed" | "2026";
}

export interface OfflineEventsDestination extends CommonDestination {
  type: "offline_events";
  event_set_id: Setting;
  /** CA event name -> TikTok offline event type. */
  mapping: Record<string, string>;
  api?: "events_api" | "offline_track";
  derive_event_id?: boolean;
}

export interface OrderSyncDestination extends CommonDestination {
  type: "order_sync";
  endpoint: string;
  /** CA event name -> order status (CREATE_ORDER, CANCEL_ORDER, COMPLETE_ORDER, ...). */
  event_mapping: Record<string, string>;
  ttoclid?: Setting;
  third_merchant_id?: Setting;
  third_shop_id?: Setting;
  third_shop_name?: Setting;
  payment_value?: Setting;
  total_value?: Setting;
  order_country?: Setting;
  create_time?: Setting;
  length_of_stay?: Setting;
  amount_of_room?: Setting;
  check_in_date?: Setting;
  check_out_date?: Setting;
}

export type Destination = EventsApiDestination | OfflineEventsDestination | OrderSyncDestination;

export interface Config {
  destinations: Destination[];
  /** TikTok Business API base URL (default https://business-api.tiktok.com). */
  api_base?: string;
}

/** A Commanders Act event (the fields the mapping reads; any other field is allowed). */
export interface CaEvent {
  event_name: string;
  id?: string;
  value?: number | string;
  currency?: string;
  items?: Array<{
    id?: string;
    quantity?: number;
    price?: number;
    product?: {
      id?: string;
      name?: string;
      price?: number;
      brand?: string;
      category_1?: string;
      category_2?: string;
      category_3?: string;
      category_4?: string;
      category_5?: string;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  }>;
  user?: {
    id?: string;
    email?: string;
    phone?: string;
    consent_categories?: string[];
    [key: string]: unknown;
  };
  context?: {
    event_timestamp?: number | string;
    page?: { url?: string; referrer?: string; [key: string]: unknown };
    device?: { cookie?: string; ip?: string; user_agent?: string; [key: string]: unknown };
    app?: Record<string, unknown>;
    [key: string]: unknown;
  };
  partners?: { tiktok?: Record<string, unknown>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Context {
  /** Unix milliseconds: the event time when the event has none (default: `Date.now()`). */
  now?: number | null;
  /** The browser's Cookie header (`_ttp`, `ttclid`). Event values win. */
  cookie?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Tokens by secret name, e.g. `{ TIKTOK_ACCESS_TOKEN: "..." }`. */
  secrets?: Record<string, string> | null;
  /** Put the real token in `request.headers["Access-Token"]` (for the code that sends). Default false. */
  revealTokens?: boolean | null;
}

export interface Warning {
  code: string;
  path: string;
}

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  path: string;
}

export interface HttpRequest {
  method: "POST";
  url: string;
  headers: { "Access-Token": string; "Content-Type": "application/json" };
  /** The exact JSON body TikTok receives (Events API 2.0, legacy offline or order sync). */
  body: Record<string, unknown>;
}

interface ResultBase {
  destination: string;
  /** The event's position when the input was an array. */
  index?: number;
  warnings?: Warning[];
}

export type DestinationResult =
  | (ResultBase & { status: "ready"; event: string; request: HttpRequest })
  | (ResultBase & { status: "skipped"; reason: "unmapped_event" | "no_consent" | "no_user_identifier" })
  | (ResultBase & { status: "error"; error: ErrorInfo });

export interface Results {
  /** Per input event, one entry per destination, in config order. */
  results: DestinationResult[];
}

export interface Batch {
  request: HttpRequest;
  /** Positions in the input of the requests merged into this one, in `data` order. */
  indexes: number[];
}

export interface Classification {
  verdict: "ok" | "retry" | "drop";
  /** `ok`, `partial_ok`, `rate_limited`, `server_error`, `timeout`, `invalid_response`, ... */
  reason: string;
  /** Suggested wait before the first retry. */
  retry_after_ms?: number;
  code?: number;
  message?: string;
  request_id?: string;
}

export type ErrorCode =
  | "unknown_key"
  | "unknown_destination_type"
  | "missing_setting"
  | "invalid_setting"
  | "invalid_event"
  | "missing_field"
  | "invalid_field"
  | "missing_secret"
  | "invalid_argument";

/** What every function throws on bad input (a plain `Error` with these fields). */
export interface TikTokEdgeError extends Error {
  name: "TikTokEdgeError";
  code: ErrorCode;
  /** The argument, config or event path at fault ("" when it is the whole value). */
  path: string;
  /** Invalid config only: every problem found. */
  errors?: ErrorInfo[];
}

export type IdentifierKind =
  | "email"
  | "phone"
  | "external_id"
  | "external_id_case_sensitive"
  | "first_name"
  | "last_name"
  | "zip_code";

/** Maps one event (or an array of events) to the requests of every destination. */
export function buildRequests(config: Config, event: CaEvent | CaEvent[], context?: Context): Results;
/** The same with JSON text in and out: the fastest path when you hold JSON already. */
export function buildRequestsJson(config: string, event: string, context?: Context): string;
/** Every problem of a config, with its path; `[]` when it is valid. */
export function validateConfig(config: Config): ErrorInfo[];
/** Merges ready results (or bare requests) into TikTok requests of up to 1,000 events. */
export function batchRequests(requests: Array<DestinationResult | HttpRequest>): Batch[];
/** What to do after TikTok answered (`status` 0 = no answer: timeout or network error). */
export function classifyResponse(status: number, body?: string | object | null): Classification;
/** SHA-256 of the normalised value, a 64-hex value passed through, `null` when empty. */
export function hashIdentifier(kind: IdentifierKind, value: string): string | null;
export function normalizeEmail(value: string): string | null;
/** E.164 (`+` and 8 to 15 digits) or `null`; never invents a country code. */
export function normalizePhone(value: string): string | null;
/** Cookie header -> `{ name: decoded value }`, first of a name wins. */
export function parseCookies(header: string): Record<string, string>;
