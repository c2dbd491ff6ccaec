// tiktok-edge: Commanders Act events -> TikTok server-side requests.
// Every function is synchronous (after `init()` with `tiktok-edge/async`). Bad arguments
// throw a `TikTokEdgeError`. The config types follow the core's settings tables (the
// package's schema.json is generated from them; the tests check these declarations
// against it). `null` for an optional setting is the same as leaving it out.

/** Text, or a `{{path}}` template read from the event (`"{{booking.hotel_id}}"`); a whole
 * template keeps the JSON type of the value. */
export type Template = string;
/** @deprecated Use `Template`. */
export type Setting = Template;

interface CommonDestination {
  /** Unique id, echoed in every result. */
  id: string;
  /** Name of the secret holding the TikTok access token (default `TIKTOK_ACCESS_TOKEN`). */
  access_token_secret?: string | null;
  /** Send only events whose `user.consent_categories` contains this category. */
  consent_category?: Template | null;
}

/** The Smart Mapping slots (schema.json `smart_mapping`). */
export type SlotName =
  | "event_source"
  | "experience_type"
  | "device_platform"
  | "event_timestamp"
  | "event_id"
  | "click_id"
  | "user_id"
  | "cookie_id"
  | "page_url"
  | "page_referrer"
  | "device_idfa"
  | "device_idfv"
  | "device_attr_status"
  | "device_gaid"
  | "app_id"
  | "app_name"
  | "app_version"
  | "user_email"
  | "user_phone"
  | "device_ip"
  | "device_user_agent"
  | "device_language"
  | "limited_data_use"
  | "item_content_type"
  | "item_id"
  | "item_price"
  | "item_quantity"
  | "item_name"
  | "item_category"
  | "item_brand"
  | "search_term"
  | "transaction_id"
  | "shop_identifier"
  | "transaction_status"
  | "content_type"
  | "currency"
  | "description"
  | "transaction_value"
  | "item_list"
  | "user_first_name"
  | "user_last_name"
  | "user_city"
  | "user_state"
  | "user_country"
  | "user_zip_code"
  | "cookies";

/** Slot -> a dot path in the event (item slots name every element with `X`: `items.X.id`), or
 * paths in priority order (the first holding a value wins); `""` turns the field off, `null`
 * keeps the default path(s). */
export type SmartMapping = Partial<Record<SlotName, string | string[] | null>>;

type Environment = "production" | "staging" | "development";

export interface EventsApiDestination extends CommonDestination {
  type: "events_api";
  /** TikTok pixel code, for `web`, `offline` and `crm` events; required unless `app_id` is set. */
  pixel_id?: Template | null;
  /** TikTok App ID, for `app` events. */
  app_id?: Template | null;
  test_event_code?: Template | null;
  /** Any letter case (default `production`, which never sends `test_event_code`). */
  environment?: Environment | Capitalize<Environment> | Uppercase<Environment> | null;
  /** CA event name -> TikTok event name (overrides and extends the standard table; `""` never sends it). */
  event_mapping?: Record<string, string> | null;
  view_content_mapping?: Array<"page_view" | "view_item"> | null;
  autodiscovery_event_source?: boolean | null;
  do_not_lowercase_user_id?: boolean | null;
  smart_mapping?: SmartMapping | null;
  /** TikTok `properties` field -> template (`"{{hotel.id}}"` or text); mapped fields are refused. */
  custom_event_properties?: Record<string, Template> | null;
  /** TikTok `user` field -> template (`"{{user.firstname}}"` or text); mapped fields are refused. */
  custom_user_properties?: Record<string, Template> | null;
  send_unmapped_events?: boolean | null;
  /** Derive a stable `event_id` from the event's content when it has no `id` (default true). */
  derive_event_id?: boolean | null;
  event_names?: "seed" | "2026" | null;
  /** Send first/last name, city, state, country and zip code when the event has them (default true). */
  extended_match_keys?: boolean | null;
  /** ISO 3166 alpha-2 country whose calling code completes national phone numbers (`FR`: `06...` -> `+336...`). */
  phone_default_country?: string | null;
}

export interface OfflineEventsDestination extends CommonDestination {
  type: "offline_events";
  event_set_id: Template;
  /** CA event name -> TikTok offline event type. */
  mapping: Record<string, "CompletePayment" | "Contact" | "Subscribe" | "SubmitForm">;
  api?: "events_api" | "offline_track" | null;
  derive_event_id?: boolean | null;
  /** ISO 3166 alpha-2 country whose calling code completes national phone numbers. */
  phone_default_country?: string | null;
}

export interface OrderSyncDestination extends CommonDestination {
  type: "order_sync";
  endpoint: string;
  /** CA event name -> order status (CREATE_ORDER, CANCEL_ORDER, COMPLETE_ORDER, ...). */
  event_mapping: Record<string, string>;
  ttoclid?: Template | null;
  third_merchant_id?: Template | null;
  third_shop_id?: Template | null;
  third_shop_name?: Template | null;
  payment_value?: Template | null;
  total_value?: Template | null;
  order_country?: Template | null;
  create_time?: Template | null;
  length_of_stay?: Template | null;
  amount_of_room?: Template | null;
  check_in_date?: Template | null;
  check_out_date?: Template | null;
}

export type Destination = EventsApiDestination | OfflineEventsDestination | OrderSyncDestination;

export interface Config {
  destinations: Destination[];
  /** TikTok Business API base URL (default https://business-api.tiktok.com; the sandbox locally). */
  api_base?: string | null;
  /** The JSON Schema of this document, for editors (`./node_modules/tiktok-edge/schema.json`). */
  $schema?: string | null;
}

/** Numbers may come as numeric strings (`"9.99"`); ids may be numbers (sent as strings). */
type Numeric = number | string;

/** A Commanders Act event (the fields the mapping reads; any other field is allowed). */
export interface CaEvent {
  event_name: string;
  id?: string | number;
  value?: Numeric;
  currency?: string;
  items?: Array<{
    id?: string | number;
    quantity?: Numeric;
    price?: Numeric;
    product?: {
      id?: string | number;
      name?: string;
      price?: Numeric;
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
  /** Milliseconds (number or numeric string) or ISO-8601, when `context.event_timestamp` is absent. */
  event_timestamp?: Numeric;
  user?: {
    id?: string | number;
    email?: string;
    phone?: string;
    /** Already hashed (64 lowercase hex): used when the clear value is absent. */
    email_sha256?: string;
    phone_sha256?: string;
    id_sha256?: string;
    firstname?: string;
    lastname?: string;
    city?: string;
    state?: string;
    zipcode?: string | number;
    country?: string;
    /** An array of strings or numbers, or a comma-separated string (`"1,3"`). */
    consent_categories?: string | Array<string | number>;
    [key: string]: unknown;
  };
  context?: {
    event_timestamp?: Numeric;
    /** The SDK's id of the event (`cact('trigger', ..., {eventId})`): TikTok's `event_id` when there is no `id`. */
    event_id?: string | number;
    /** The cookie string, when not in `context.device.cookie`. */
    cookie?: string;
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
  /** `partial`: code 20001, TikTok kept some events and not others (split a batch and resend;
   * a lone event so answered counts as accepted). */
  verdict: "ok" | "partial" | "retry" | "drop";
  /** `ok`, `partial_ok`, `rate_limited`, `server_error`, `timeout`, `invalid_response`, `invalid_params`, ... */
  reason: string;
  /** A request of several events answered this way may hold one bad event: split it in halves and resend both. */
  split: boolean;
  /** The least wait TikTok asks for before a retry (rate limits, maintenance). */
  retry_after_ms?: number;
  code: number | null;
  message: string | null;
  request_id: string | null;
  /** The events a partial answer names as not kept, by position in `data`, when it names them. */
  failed?: Array<{ index: number; code?: number; message?: string }>;
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

/** Compiles the wasm. `tiktok-edge/async`: call (and await) it once before any other
 * function; `source` (a URL, Response, bytes or WebAssembly.Module) replaces the inline
 * wasm. Every other entry is ready at import and resolves at once. */
export function init(source?: unknown): Promise<void>;
/** Maps one event (or an array of events) to the requests of every destination. */
export function buildRequests(config: Config, event: CaEvent | CaEvent[] | { batch: CaEvent[] }, context?: Context): Results;
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
