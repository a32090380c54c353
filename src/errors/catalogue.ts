/**
 * The error catalogue: every error a client can see, with its stable key, the
 * numeric `code` of the customer API envelope, the HTTP status used by the
 * admin API (the customer API always answers HTTP 200, as its documents say),
 * and its message in Simplified Chinese and English. `{name}` placeholders are
 * filled from the error's params.
 *
 * Codes are stable: never change or reuse one. Retired codes go to RETIRED_CODES.
 * Ranges: 3 and 156 come from the published documents; 400-500 mirror HTTP;
 * 1xxx authentication, 2xxx sub-accounts, 3xxx users, 4xxx the proxy gateway
 * (40xx entry and credentials, 41xx quotas, 42xx upstream/exit), 5xxx the exit pool, 60xx packages,
 * 61xx whitelisted IPs, 62xx IP extraction, 64xx static IPs, 70xx billing.
 */
export interface ErrorDefinition {
  readonly code: number;
  readonly httpStatus: number;
  readonly zh: string;
  readonly en: string;
  /** Gateway errors: the SOCKS5 reply code (RFC 1928 §6) sent for this refusal. */
  readonly socksReply?: number;
  /** Gateway errors: the RFC 9209 Proxy-Status error type. */
  readonly proxyStatus?: string;
}

/** SOCKS5 reply codes, RFC 1928 §6. */
export const SOCKS = {
  GENERAL_FAILURE: 0x01,
  NOT_ALLOWED: 0x02,
  NETWORK_UNREACHABLE: 0x03,
  HOST_UNREACHABLE: 0x04,
  CONNECTION_REFUSED: 0x05,
  TTL_EXPIRED: 0x06,
  COMMAND_NOT_SUPPORTED: 0x07,
  ADDRESS_TYPE_NOT_SUPPORTED: 0x08,
} as const;

export const ERRORS = {
  TG_ERR_AUTH_APP_KEY_INVALID: {
    code: 3,
    httpStatus: 401,
    zh: 'app_key 无效',
    en: 'Invalid or missing app_key',
  },
  TG_ERR_AUTH_REAL_NAME_REQUIRED: {
    code: 156,
    httpStatus: 403,
    zh: '账户未实名认证',
    en: 'Real-name verification is required for this operation',
  },
  TG_ERR_PARAM_INVALID: {
    code: 400,
    httpStatus: 400,
    zh: '参数错误',
    en: 'Invalid parameters',
  },
  TG_ERR_ROUTE_NOT_FOUND: {
    code: 404,
    httpStatus: 404,
    zh: '接口不存在',
    en: 'No such endpoint',
  },
  TG_ERR_BODY_TOO_LARGE: {
    code: 413,
    httpStatus: 413,
    zh: '请求体过大,最大 {limit} 字节',
    en: 'Request body too large; the limit is {limit} bytes',
  },
  TG_ERR_UNSUPPORTED_MEDIA_TYPE: {
    code: 415,
    httpStatus: 415,
    zh: '不支持的请求体类型,请使用 JSON 或表单',
    en: 'Unsupported body type; send JSON or a form',
  },
  TG_ERR_RATE_LIMITED: {
    code: 429,
    httpStatus: 429,
    zh: '请求过于频繁,请 {after} 后重试',
    en: 'Too many requests; retry in {after}',
  },
  TG_ERR_INTERNAL: {
    code: 500,
    httpStatus: 500,
    zh: '服务器内部错误',
    en: 'Internal server error',
  },
  TG_ERR_AUTH_LOGIN_FAILED: {
    code: 1001,
    httpStatus: 401,
    zh: '邮箱或密码错误',
    en: 'Wrong email or password',
  },
  TG_ERR_AUTH_USER_DISABLED: {
    code: 1002,
    httpStatus: 403,
    zh: '账户已被停用',
    en: 'This user is disabled',
  },
  TG_ERR_AUTH_TOKEN_INVALID: {
    code: 1003,
    httpStatus: 401,
    zh: '登录令牌无效或已过期',
    en: 'Bearer token invalid or expired',
  },
  TG_ERR_AUTH_ADMIN_TOKEN_INVALID: {
    code: 1004,
    httpStatus: 401,
    zh: '管理令牌无效',
    en: 'Invalid or missing admin token',
  },
  TG_ERR_ACCOUNT_NOT_FOUND: {
    code: 2001,
    httpStatus: 404,
    zh: '代理账户不存在:{names}',
    en: 'No such proxy account: {names}',
  },
  TG_ERR_ACCOUNT_NAME_TAKEN: {
    code: 2002,
    httpStatus: 409,
    zh: '代理账户名已被使用:{names}',
    en: 'Proxy account name already taken: {names}',
  },
  TG_ERR_ACCOUNT_BATCH_TOO_LARGE: {
    code: 2003,
    httpStatus: 400,
    zh: '单次最多操作 {max} 个代理账户,本次 {count} 个',
    en: 'At most {max} proxy accounts per request; got {count}',
  },
  TG_ERR_USER_NOT_FOUND: {
    code: 3001,
    httpStatus: 404,
    zh: '用户不存在',
    en: 'No such user',
  },
  TG_ERR_USER_EMAIL_TAKEN: {
    code: 3002,
    httpStatus: 409,
    zh: '邮箱已被使用:{email}',
    en: 'Email already in use: {email}',
  },
  TG_ERR_PROXY_AUTH_REQUIRED: {
    code: 4001,
    httpStatus: 407,
    zh: '需要代理认证',
    en: 'Proxy authentication required',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_PROXY_AUTH_FAILED: {
    code: 4002,
    httpStatus: 407,
    zh: '代理账户或密码错误',
    en: 'Wrong proxy username or password',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_PROXY_USERNAME_INVALID: {
    code: 4003,
    httpStatus: 400,
    zh: '代理用户名参数错误:{reason}',
    en: 'Invalid proxy username parameters: {reason}',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_error',
  },
  TG_ERR_PROXY_AUTH_THROTTLED: {
    code: 4004,
    httpStatus: 429,
    zh: '认证失败次数过多,请稍后再试',
    en: 'Too many failed proxy logins from this address; try again later',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_PROXY_ACCOUNT_DISABLED: {
    code: 4005,
    httpStatus: 403,
    zh: '代理账户已停用',
    en: 'This proxy account is disabled',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_PROXY_TARGET_BLOCKED: {
    code: 4006,
    httpStatus: 403,
    zh: '目标地址不允许访问:{reason}',
    en: 'Target not allowed: {reason}',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'destination_ip_prohibited',
  },
  TG_ERR_PROXY_NO_EXIT: {
    code: 4007,
    httpStatus: 503,
    zh: '没有可用的出口:{reason}',
    en: 'No exit available: {reason}',
    socksReply: SOCKS.GENERAL_FAILURE,
    proxyStatus: 'destination_unavailable',
  },
  TG_ERR_PROXY_BAD_REQUEST: {
    code: 4008,
    httpStatus: 400,
    zh: '代理请求格式错误:{reason}',
    en: 'Malformed proxy request: {reason}',
    socksReply: SOCKS.GENERAL_FAILURE,
    proxyStatus: 'http_request_error',
  },
  TG_ERR_PROXY_HANDSHAKE_TIMEOUT: {
    code: 4009,
    httpStatus: 408,
    zh: '代理握手超时',
    en: 'Proxy handshake timed out',
    socksReply: SOCKS.TTL_EXPIRED,
    proxyStatus: 'http_request_error',
  },
  TG_ERR_PROXY_HEADER_TOO_LARGE: {
    code: 4010,
    httpStatus: 431,
    zh: '请求头过大',
    en: 'Request header too large',
    socksReply: SOCKS.GENERAL_FAILURE,
    proxyStatus: 'http_request_error',
  },
  TG_ERR_PROXY_COMMAND_UNSUPPORTED: {
    code: 4011,
    httpStatus: 405,
    zh: '不支持的代理命令:{reason}',
    en: 'Unsupported proxy command: {reason}',
    socksReply: SOCKS.COMMAND_NOT_SUPPORTED,
    proxyStatus: 'http_request_error',
  },
  TG_ERR_PROXY_ADDRESS_UNSUPPORTED: {
    code: 4012,
    httpStatus: 400,
    zh: '不支持的地址类型',
    en: 'Unsupported address type',
    socksReply: SOCKS.ADDRESS_TYPE_NOT_SUPPORTED,
    proxyStatus: 'http_request_error',
  },
  TG_ERR_PROXY_CONNECTION_LIMIT: {
    code: 4013,
    httpStatus: 503,
    zh: '代理连接数已满',
    en: 'The gateway is at its connection limit',
    socksReply: SOCKS.GENERAL_FAILURE,
    proxyStatus: 'connection_limit_reached',
  },
  TG_ERR_PROXY_PRODUCT_NOT_SERVED: {
    code: 4014,
    httpStatus: 407,
    zh: '该入口不支持此套餐类型的代理账户',
    en: 'Proxy accounts of this product type cannot use this entry',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_PROXY_LEASE_INVALID: {
    code: 4015,
    httpStatus: 403,
    zh: '该提取端口没有您的有效租约(已过期或未提取)',
    en: 'No valid lease of yours on this extraction port (expired or never extracted)',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_PROXY_STATIC_IP_INVALID: {
    code: 4016,
    httpStatus: 403,
    zh: '{ip} 不是您的有效静态 IP',
    en: '{ip} is not one of your valid static IPs',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_PROXY_NO_STATIC_IP: {
    code: 4017,
    httpStatus: 403,
    zh: '没有该类型的有效静态 IP',
    en: 'No valid static IP of this product type',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_QUOTA_ACCOUNT_LIMIT: {
    code: 4101,
    httpStatus: 403,
    zh: '代理账户已达到流量上限',
    en: 'This proxy account has reached its traffic limit',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_QUOTA_NO_PACKAGE: {
    code: 4102,
    httpStatus: 403,
    zh: '没有可用的流量套餐(已用完或已过期)',
    en: 'No traffic package left: all used up or expired',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_QUOTA_NO_TIME_PACKAGE: {
    code: 4103,
    httpStatus: 403,
    zh: '没有有效的包时套餐(未开始或已过期)',
    en: 'No valid time-based package: none started, or all expired',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'http_request_denied',
  },
  TG_ERR_QUOTA_CONCURRENCY: {
    code: 4104,
    httpStatus: 429,
    zh: '已达到套餐的并发连接数上限({limit}),请关闭连接后重试',
    en: 'Your package’s concurrency ({limit} open connections) is reached; close one and retry',
    socksReply: SOCKS.NOT_ALLOWED,
    proxyStatus: 'connection_limit_reached',
  },
  TG_ERR_UPSTREAM_CONNECT_REFUSED: {
    code: 4201,
    httpStatus: 502,
    zh: '目标拒绝连接',
    en: 'The target refused the connection',
    socksReply: SOCKS.CONNECTION_REFUSED,
    proxyStatus: 'connection_refused',
  },
  TG_ERR_UPSTREAM_UNREACHABLE: {
    code: 4202,
    httpStatus: 502,
    zh: '目标不可达',
    en: 'The target is unreachable',
    socksReply: SOCKS.HOST_UNREACHABLE,
    proxyStatus: 'destination_ip_unroutable',
  },
  TG_ERR_UPSTREAM_DNS_FAILED: {
    code: 4203,
    httpStatus: 502,
    zh: '目标域名解析失败',
    en: 'The target host name does not resolve',
    socksReply: SOCKS.HOST_UNREACHABLE,
    proxyStatus: 'dns_error',
  },
  TG_ERR_UPSTREAM_TIMEOUT: {
    code: 4204,
    httpStatus: 504,
    zh: '连接目标超时',
    en: 'Connecting to the target timed out',
    socksReply: SOCKS.TTL_EXPIRED,
    proxyStatus: 'connection_timeout',
  },
  TG_ERR_UPSTREAM_FAILED: {
    code: 4205,
    httpStatus: 502,
    zh: '出口连接失败:{reason}',
    en: 'The exit failed: {reason}',
    socksReply: SOCKS.GENERAL_FAILURE,
    proxyStatus: 'destination_unavailable',
  },
  TG_ERR_NODE_NOT_FOUND: {
    code: 5001,
    httpStatus: 404,
    zh: '出口节点不存在',
    en: 'No such exit node',
  },
  TG_ERR_PACKAGE_NOT_FOUND: {
    code: 6001,
    httpStatus: 404,
    zh: '套餐不存在',
    en: 'No such package',
  },
  TG_ERR_WHITE_IP_INVALID: {
    code: 6101,
    httpStatus: 400,
    zh: 'IP 地址无效:{ips}',
    en: 'Invalid IP address(es): {ips}',
  },
  TG_ERR_WHITE_IP_DUPLICATE: {
    code: 6102,
    httpStatus: 409,
    zh: 'IP 地址已在白名单中:{ips}',
    en: 'IP address(es) already whitelisted: {ips}',
  },
  TG_ERR_WHITE_IP_LIMIT: {
    code: 6103,
    httpStatus: 400,
    zh: '白名单 IP 最多 {max} 个',
    en: 'At most {max} whitelisted IPs per user',
  },
  TG_ERR_WHITE_IP_NOT_FOUND: {
    code: 6104,
    httpStatus: 404,
    zh: '白名单 IP 不存在:{ids}',
    en: 'No such whitelisted IP: {ids}',
  },
  TG_ERR_EXTRACT_GEO_UNKNOWN: {
    code: 6201,
    httpStatus: 400,
    zh: '未知的地区:{geo}',
    en: 'Unknown location: {geo}',
  },
  TG_ERR_EXTRACT_NO_EXIT: {
    code: 6202,
    httpStatus: 503,
    zh: '该地区没有可用出口:{geo}',
    en: 'No exit available for {geo}',
  },
  TG_ERR_EXTRACT_NO_PORT: {
    code: 6203,
    httpStatus: 503,
    zh: '没有空闲的提取端口',
    en: 'No free extraction port; try again later or with a smaller num',
  },
  TG_ERR_EXTRACT_NO_PACKAGE: {
    code: 6204,
    httpStatus: 403,
    zh: '没有可用的流量套餐',
    en: 'No valid traffic package',
  },
  TG_ERR_EXTRACT_NOT_WHITELISTED: {
    code: 6205,
    httpStatus: 403,
    zh: '请先添加白名单 IP',
    en: 'Add a whitelisted IP first (white-ip/add)',
  },
  TG_ERR_EXTRACT_ENTRY_UNKNOWN: {
    code: 6206,
    httpStatus: 400,
    zh: '未知的代理网络 ep:{ep}',
    en: 'Unknown entry region ep: {ep}',
  },
  TG_ERR_EXTRACT_DISABLED: {
    code: 6207,
    httpStatus: 503,
    zh: '未开放 IP 提取',
    en: 'IP extraction is not configured on this platform',
  },
  TG_ERR_STATIC_IP_NOT_FOUND: {
    code: 6401,
    httpStatus: 404,
    zh: '静态 IP 不存在',
    en: 'No such static IP',
  },
  TG_ERR_STATIC_IP_EXISTS: {
    code: 6402,
    httpStatus: 409,
    zh: '静态 IP 已存在:{ip}',
    en: 'Static IP already in the inventory: {ip}',
  },
  TG_ERR_STATIC_IP_ALLOCATED: {
    code: 6403,
    httpStatus: 409,
    zh: '静态 IP 已分配给用户',
    en: 'The static IP is allocated to a user',
  },
  TG_ERR_STATIC_IP_UNAVAILABLE: {
    code: 6404,
    httpStatus: 409,
    zh: '库存不足:{region}',
    en: 'Not enough unallocated static IPs: {region}',
  },
  TG_ERR_STATIC_IP_NO_ALLOCATION: {
    code: 6405,
    httpStatus: 404,
    zh: '静态 IP 分配不存在或已结束:{ids}',
    en: 'No such static IP allocation, or it has ended: {ids}',
  },
  TG_ERR_PRODUCT_NOT_FOUND: {
    code: 7001,
    httpStatus: 404,
    zh: '套餐不存在:{pid}',
    en: 'No such product: {pid}',
  },
  TG_ERR_PRODUCT_NOT_ORDERABLE: {
    code: 7002,
    httpStatus: 400,
    zh: '本平台不提供类型 {type} 的产品,不能创建或购买',
    en: 'Product type {type} is not served by this platform: it cannot be created or ordered',
  },
  TG_ERR_PAYMENT_METHOD_NOT_FOUND: {
    code: 7003,
    httpStatus: 404,
    zh: '支付方式不存在:{pm_id}',
    en: 'No such payment method: {pm_id}',
  },
  TG_ERR_PAYMENT_METHOD_DISABLED: {
    code: 7004,
    httpStatus: 400,
    zh: '该支付方式已停用',
    en: 'This payment method is disabled',
  },
  TG_ERR_PAYMENT_AMOUNT_OUT_OF_RANGE: {
    code: 7005,
    httpStatus: 400,
    zh: '金额 {amount} 超出该支付方式的范围 {min}-{max}',
    en: 'The amount {amount} is outside this method’s range {min}-{max}',
  },
  TG_ERR_PAYMENT_METHOD_NOT_ALLOWED: {
    code: 7006,
    httpStatus: 400,
    zh: '该订单不能使用此支付方式',
    en: 'This payment method cannot pay this order',
  },
  TG_ERR_BALANCE_INSUFFICIENT: {
    code: 7007,
    httpStatus: 402,
    zh: '余额不足',
    en: 'Insufficient balance',
  },
  TG_ERR_COUPON_INVALID: {
    code: 7008,
    httpStatus: 400,
    zh: '优惠券不可用:{reason}',
    en: 'Coupon not usable: {reason}',
  },
  TG_ERR_ORDER_NOT_FOUND: {
    code: 7009,
    httpStatus: 404,
    zh: '订单不存在',
    en: 'No such order',
  },
  TG_ERR_ORDER_NOT_PENDING: {
    code: 7010,
    httpStatus: 409,
    zh: '订单不是待支付状态',
    en: 'The order is not pending',
  },
  TG_ERR_ORDER_NOT_PAID: {
    code: 7011,
    httpStatus: 409,
    zh: '订单未支付,不能退款',
    en: 'The order is not paid, so it cannot be refunded',
  },
  TG_ERR_WEBHOOK_SIGNATURE_INVALID: {
    code: 7012,
    httpStatus: 401,
    zh: '签名无效',
    en: 'Invalid signature',
  },
  TG_ERR_WEBHOOK_PAYLOAD_INVALID: {
    code: 7013,
    httpStatus: 400,
    zh: '通知内容无效:{reason}',
    en: 'Invalid notification: {reason}',
  },
  TG_ERR_WEBHOOK_AMOUNT_MISMATCH: {
    code: 7014,
    httpStatus: 409,
    zh: '支付金额与订单不符',
    en: 'The paid amount does not match the order',
  },
  TG_ERR_INVITE_DISCOUNT_UNAVAILABLE: {
    code: 7015,
    httpStatus: 400,
    zh: '不满足邀请注册优惠条件',
    en: 'The invitation discount does not apply: not invited, or not a first order',
  },
  TG_ERR_COUPON_EXISTS: {
    code: 7016,
    httpStatus: 409,
    zh: '优惠券代码已存在:{code}',
    en: 'Coupon code already exists: {code}',
  },
  TG_ERR_COUPON_NOT_FOUND: {
    code: 7017,
    httpStatus: 404,
    zh: '优惠券不存在',
    en: 'No such coupon',
  },
  TG_ERR_GIFT_TIER_EXISTS: {
    code: 7018,
    httpStatus: 409,
    zh: '该金额的赠送档位已存在',
    en: 'A gift tier for that amount already exists',
  },
  TG_ERR_GIFT_TIER_NOT_FOUND: {
    code: 7019,
    httpStatus: 404,
    zh: '赠送档位不存在',
    en: 'No such gift tier',
  },
  TG_ERR_SKU_INVALID: {
    code: 7020,
    httpStatus: 400,
    zh: '规格无效:{reason}',
    en: 'Invalid product option: {reason}',
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorKey = keyof typeof ERRORS;

/** Codes once used and retired; never reuse them. */
export const RETIRED_CODES: readonly number[] = [];

/** The success envelope's code and message. */
export const SUCCESS = { code: 200, zh: '操作成功', en: 'Success' } as const;
