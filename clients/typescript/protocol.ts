/**
 * OpenClaw Gateway protocol v4 as served by openclaw-gateway: frames, method
 * params/results, event payloads, node commands
 */
export interface OpenClawGatewayProtocol {
    agentIdentityGetParams?:                      { [key: string]: any };
    agentParams?:                                 AgentParams;
    agentsListParams?:                            { [key: string]: any };
    agentWaitParams?:                             WaitParams;
    approvalHistoryParams?:                       { [key: string]: any };
    auditListParams?:                             { [key: string]: any };
    boardGetParams?:                              { [key: string]: any };
    canvasA2uiPushParams?:                        PushParams;
    canvasCapabilityParams?:                      SurfaceParams;
    canvasWriteParams?:                           WriteParams;
    channelsLogoutParams?:                        LogoutParams;
    channelsPairingApproveParams?:                RefApproveParams;
    channelsPairingDismissParams?:                RefDismissParams;
    channelsPairingListParams?:                   RefListParams;
    channelsStartParams?:                         LogoutParams;
    channelsStatusParams?:                        StatusParams;
    channelsStopParams?:                          LogoutParams;
    chatAbortParams?:                             AbortParams;
    chatHistoryParams?:                           HistoryParams;
    chatMetadataParams?:                          { [key: string]: any };
    chatSendParams?:                              ChatSendParams;
    chatStartupParams?:                           { [key: string]: any };
    configGetParams?:                             { [key: string]: any };
    configSchemaLookupParams?:                    { [key: string]: any };
    configSchemaParams?:                          { [key: string]: any };
    connectChallengeEvent?:                       ChallengePayload;
    connectParams?:                               ConnectParams;
    controlUiSessionPullRequestsSubscribeParams?: { [key: string]: any };
    cronAddParams?:                               AddParams;
    cronEvent?:                                   CronEventPayload;
    cronGetParams?:                               JobParams;
    cronListParams?:                              ListParams;
    cronRemoveParams?:                            JobParams;
    cronRunParams?:                               RunParams;
    cronRunsParams?:                              RunsParams;
    cronStatusParams?:                            { [key: string]: any };
    cronUpdateParams?:                            UpdateParams;
    devicePairApproveParams?:                     RequestIDParams;
    devicePairListParams?:                        { [key: string]: any };
    devicePairRejectParams?:                      RequestIDParams;
    devicePairRemoveParams?:                      DeviceIDParams;
    devicePairResolvedEvent?:                     PairResolvedPayload;
    deviceTokenRevokeParams?:                     RevokeParams;
    deviceTokenRotateParams?:                     RotateParams;
    diagnosticsLanesParams?:                      { [key: string]: any };
    diagnosticsStabilityParams?:                  { [key: string]: any };
    environmentsListParams?:                      { [key: string]: any };
    errorShape?:                                  ErrorShape;
    eventFrame?:                                  EventFrame;
    execApprovalListParams?:                      { [key: string]: any };
    execApprovalsGetParams?:                      { [key: string]: any };
    frame?:                                       Frame;
    healthParams?:                                HealthParams;
    heartbeatEvent?:                              HeartbeatRecord;
    lastHeartbeatParams?:                         { [key: string]: any };
    logsTailParams?:                              LogsTailParams;
    mentionsListParams?:                          { [key: string]: any };
    modelsAuthStatusParams?:                      { [key: string]: any };
    modelsListParams?:                            { [key: string]: any };
    nodeCameraClipParams?:                        ClipParams;
    nodeCameraClipResult?:                        ClipResult;
    nodeCameraListResult?:                        ListResult;
    nodeCameraSnapParams?:                        SnapParams;
    nodeCameraSnapResult?:                        SnapResult;
    nodeCanvasNavigateParams?:                    NavigateParams;
    nodeCanvasPresentParams?:                     PresentParams;
    nodeDescribeParams?:                          NodeIDParams;
    nodeEventParams?:                             NodeEventParams;
    nodeInvokeParams?:                            InvokeParams;
    nodeInvokeResultParams?:                      InvokeResultParams;
    nodeListParams?:                              { [key: string]: any };
    nodeLocationGetParams?:                       LocationGetParams;
    nodeLocationGetResult?:                       LocationResult;
    nodePairApproveParams?:                       RequestIDParams;
    nodePairListParams?:                          { [key: string]: any };
    nodePairRejectParams?:                        RequestIDParams;
    nodePairRemoveParams?:                        NodeIDParams;
    nodePluginSurfaceRefreshParams?:              SurfaceParams;
    nodePluginToolsUpdateParams?:                 ToolsParams;
    nodeRenameParams?:                            RenameParams;
    nodeRunnerInventoryUpdateParams?:             InventoryParams;
    nodeScreenRecordParams?:                      RecordParams;
    nodeScreenRecordResult?:                      RecordResult;
    nodeScreenSnapshotParams?:                    SnapshotParams;
    nodeScreenSnapshotResult?:                    SnapshotResult;
    nodeSkillsUpdateParams?:                      SkillsParams;
    nodeSystemWhichParams?:                       WhichParams;
    openclawApprovalListParams?:                  { [key: string]: any };
    openclawSetupDetectParams?:                   { [key: string]: any };
    pairingApproveParams?:                        PairingCodeParams;
    pairingListParams?:                           PairingListParams;
    pairingRejectParams?:                         PairingCodeParams;
    pairingRevokeParams?:                         PairingRevokeParams;
    pluginApprovalListParams?:                    { [key: string]: any };
    pluginsCatalogBrowseParams?:                  { [key: string]: any };
    pluginsCatalogCategoriesParams?:              { [key: string]: any };
    pluginsControlUiListParams?:                  { [key: string]: any };
    pluginsListParams?:                           { [key: string]: any };
    pluginSurfaceRefreshParams?:                  { [key: string]: any };
    presenceEvent?:                               PresencePayload;
    progressCardGetParams?:                       { [key: string]: any };
    projectsListParams?:                          { [key: string]: any };
    questionListParams?:                          { [key: string]: any };
    requestFrame?:                                RequestFrame;
    responseFrame?:                               ResponseFrame;
    sendParams?:                                  SendParams;
    sessionDiscussionInfoParams?:                 { [key: string]: any };
    sessionsBranchesListParams?:                  { [key: string]: any };
    sessionsCatalogListParams?:                   { [key: string]: any };
    sessionsCompanionStateParams?:                { [key: string]: any };
    sessionsDescribeParams?:                      { [key: string]: any };
    sessionsGroupsDefaultsParams?:                { [key: string]: any };
    sessionsGroupsListParams?:                    { [key: string]: any };
    sessionsListParams?:                          { [key: string]: any };
    sessionsMessagesSubscribeParams?:             { [key: string]: any };
    sessionsObserverVisibilityParams?:            { [key: string]: any };
    sessionsResetParams?:                         SessionParams;
    sessionsSubscribeParams?:                     { [key: string]: any };
    sessionsUsageParams?:                         { [key: string]: any };
    sessionsViewersSetParams?:                    { [key: string]: any };
    setHeartbeatsParams?:                         SetHeartbeatsParams;
    shutdownEvent?:                               ShutdownPayload;
    skillsLibraryListParams?:                     { [key: string]: any };
    skillsSearchParams?:                          { [key: string]: any };
    skillsStatusParams?:                          { [key: string]: any };
    statusParams?:                                { [key: string]: any };
    systemEventParams?:                           SystemEventParams;
    systemInfoParams?:                            { [key: string]: any };
    systemPresenceParams?:                        { [key: string]: any };
    talkCatalogParams?:                           { [key: string]: any };
    tasksListParams?:                             { [key: string]: any };
    taskSuggestionsListParams?:                   { [key: string]: any };
    themesListParams?:                            { [key: string]: any };
    tickEvent?:                                   TickPayload;
    updateStatusParams?:                          { [key: string]: any };
    usageCostParams?:                             { [key: string]: any };
    usageStatusParams?:                           { [key: string]: any };
    usersListParams?:                             { [key: string]: any };
    usersPrefsGetParams?:                         { [key: string]: any };
    webLoginStartParams?:                         LoginStartParams;
    webLoginStartResult?:                         LoginStartResult;
    webLoginWaitParams?:                          LoginWaitParams;
    webLoginWaitResult?:                          LoginWaitResult;
    whatsappLoginPairCodeParams?:                 PairCodeParams;
    whatsappLoginPairCodeResult?:                 PairCodeResult;
    [property: string]: any;
}

export interface AgentParams {
    agentId?:       null | string;
    attachments?:   AttachmentParam[];
    idempotencyKey: string;
    message:        string;
    sessionId?:     null | string;
    sessionKey?:    null | string;
    [property: string]: any;
}

/**
 * ``{type?, mimeType?, fileName?, content: <base64>}`` as the reference's clients send it
 * (``content`` may also be a ``data:`` URL); decoded and checked against
 * ``hello-ok.policy.attachments`` here, so a bad one is an INVALID_REQUEST with its path.
 */
export interface AttachmentParam {
    content:   string;
    fileName?: null | string;
    mimeType?: null | string;
    type?:     null | string;
    [property: string]: any;
}

export interface WaitParams {
    runId:      string;
    timeoutMs?: number;
    [property: string]: any;
}

export interface PushParams {
    documentId?:    null | string;
    idempotencyKey: string;
    messages:       any[];
    title?:         string;
}

export interface SurfaceParams {
    observedUrl?: null | string;
    surface:      string;
    [property: string]: any;
}

export interface WriteParams {
    /**
     * omit to create a new document
     */
    documentId?:    null | string;
    html:           string;
    idempotencyKey: string;
    title?:         string;
}

/**
 * ``{channel, accountId}`` of ``channels.logout``, ``channels.stop`` and ``channels.start``.
 */
export interface LogoutParams {
    accountId?: string;
    channel:    string;
    [property: string]: any;
}

export interface RefApproveParams {
    accountId:              string;
    bootstrapCommandOwner?: boolean | null;
    channel:                string;
    notify?:                boolean | null;
    requestId:              string;
}

export interface RefDismissParams {
    accountId: string;
    channel:   string;
    requestId: string;
}

export interface RefListParams {
    accountId?: null | string;
    channel?:   null | string;
}

export interface StatusParams {
    probe?: boolean;
    [property: string]: any;
}

export interface AbortParams {
    runId?:     null | string;
    sessionKey: string;
    [property: string]: any;
}

export interface HistoryParams {
    limit?:     number;
    sessionKey: string;
    [property: string]: any;
}

export interface ChatSendParams {
    attachments?:   AttachmentParam[];
    idempotencyKey: string;
    message:        string;
    sessionKey?:    null | string;
    [property: string]: any;
}

export interface ChallengePayload {
    nonce: string;
    ts:    number;
    [property: string]: any;
}

/**
 * ``connect`` request params (PROTOCOL.md §3 step 3).
 */
export interface ConnectParams {
    auth?:         AuthParams | null;
    caps?:         string[];
    client:        ClientInfo;
    commands?:     string[];
    computerUse?:  any;
    device?:       DeviceProof | null;
    locale?:       null | string;
    maxProtocol:   number;
    minProtocol:   number;
    modelCatalog?: any;
    pathEnv?:      null | string;
    permissions?:  { [key: string]: boolean } | null;
    role?:         string;
    scopes?:       string[];
    userAgent?:    null | string;
    workerRuns?:   any;
}

/**
 * Credentials offered in ``connect.params.auth``.
 */
export interface AuthParams {
    agentRuntimeIdentityToken?: null | string;
    approvalRuntimeToken?:      null | string;
    bootstrapToken?:            null | string;
    deviceToken?:               null | string;
    password?:                  null | string;
    token?:                     null | string;
}

/**
 * Who is connecting: ``connect.params.client``.
 */
export interface ClientInfo {
    buildId?:         null | string;
    deviceFamily?:    null | string;
    displayName?:     null | string;
    id:               ID;
    instanceId?:      null | string;
    mode:             ClientMode;
    modelIdentifier?: null | string;
    platform:         string;
    timeZone?:        null | string;
    version:          string;
}

export enum ID {
    CLI = "cli",
    Fingerprint = "fingerprint",
    GatewayClient = "gateway-client",
    NodeHost = "node-host",
    OpenclawAndroid = "openclaw-android",
    OpenclawBrowserCopilot = "openclaw-browser-copilot",
    OpenclawControlUI = "openclaw-control-ui",
    OpenclawIos = "openclaw-ios",
    OpenclawLinux = "openclaw-linux",
    OpenclawMacos = "openclaw-macos",
    OpenclawProbe = "openclaw-probe",
    OpenclawTui = "openclaw-tui",
    OpenclawWatchos = "openclaw-watchos",
    OpenclawWorker = "openclaw-worker",
    Test = "test",
    Webchat = "webchat",
    WebchatUI = "webchat-ui",
}

export enum ClientMode {
    Backend = "backend",
    CLI = "cli",
    Node = "node",
    Probe = "probe",
    Test = "test",
    UI = "ui",
    Webchat = "webchat",
    Worker = "worker",
}

/**
 * The signed device identity block: all five fields are required when present.
 */
export interface DeviceProof {
    id:        string;
    nonce:     string;
    publicKey: string;
    signature: string;
    signedAt:  number;
}

/**
 * ``cron.add``; the reference's ``wakeMode``, ``delivery`` and the like are accepted and
 * ignored (a run's reply stays in its session).
 */
export interface AddParams {
    agentId?:        null | string;
    enabled?:        boolean;
    idempotencyKey?: null | string;
    message?:        null | string;
    name?:           null | string;
    payload?:        null | Payload;
    schedule:        any;
    sessionKey?:     null | string;
    sessionTarget?:  null | string;
    tz?:             null | string;
    [property: string]: any;
}

/**
 * The reference's job payload; only agent turns exist here (other fields are ignored).
 */
export interface Payload {
    kind:    Kind;
    message: string;
    [property: string]: any;
}

export enum Kind {
    AgentTurn = "agentTurn",
}

export interface CronEventPayload {
    action: string;
    jobId:  string;
    ts:     number;
    [property: string]: any;
}

export interface JobParams {
    id:              string;
    idempotencyKey?: null | string;
    [property: string]: any;
}

/**
 * The reference's ``cron.list`` params (triggers and other agents do not exist here).
 */
export interface ListParams {
    agentId?:                 null | string;
    compact?:                 boolean;
    enabled?:                 Enabled | null;
    includeDeliveryPreviews?: boolean;
    includeDisabled?:         boolean;
    lastRunStatus?:           Lastrunstatus;
    limit?:                   number | null;
    offset?:                  number;
    query?:                   null | string;
    scheduleKind?:            Schedulekind;
    sessionKey?:              null | string;
    sortBy?:                  Sortby;
    sortDir?:                 Sortdir;
    trigger?:                 Trigger;
    [property: string]: any;
}

export enum Enabled {
    All = "all",
    Disabled = "disabled",
    Enabled = "enabled",
}

export enum Lastrunstatus {
    All = "all",
    Error = "error",
    Ok = "ok",
    Skipped = "skipped",
    Unknown = "unknown",
}

export enum Schedulekind {
    All = "all",
    At = "at",
    Cron = "cron",
    Every = "every",
    OnExit = "on-exit",
    Stream = "stream",
}

export enum Sortby {
    Name = "name",
    NextRunAtMS = "nextRunAtMs",
    UpdatedAtMS = "updatedAtMs",
}

export enum Sortdir {
    Asc = "asc",
    Desc = "desc",
}

export enum Trigger {
    All = "all",
    Conditional = "conditional",
    Unconditional = "unconditional",
}

export interface RunParams {
    expectedProcessInstanceId?: null | string;
    id:                         string;
    idempotencyKey?:            null | string;
    mode?:                      CronRunParamsMode;
    [property: string]: any;
}

export enum CronRunParamsMode {
    Due = "due",
    Force = "force",
    IfEnabled = "if-enabled",
}

export interface RunsParams {
    agentId?:          null | string;
    deliveryStatus?:   Deliverystatus | null;
    deliveryStatuses?: Deliverystatus[] | null;
    id?:               null | string;
    limit?:            number;
    offset?:           number;
    query?:            null | string;
    runId?:            null | string;
    scope?:            Scope | null;
    sortDir?:          Sortdir;
    status?:           StatusEnum;
    statuses?:         StatusElement[] | null;
    [property: string]: any;
}

export enum Deliverystatus {
    Delivered = "delivered",
    NotDelivered = "not-delivered",
    NotRequested = "not-requested",
    Unknown = "unknown",
}

export enum Scope {
    All = "all",
    Job = "job",
}

export enum StatusEnum {
    All = "all",
    Error = "error",
    Ok = "ok",
    Skipped = "skipped",
}

export enum StatusElement {
    Error = "error",
    Ok = "ok",
    Skipped = "skipped",
}

export interface UpdateParams {
    expectedConfigRevision?: null | string;
    id:                      string;
    idempotencyKey?:         null | string;
    patch:                   Patch;
    [property: string]: any;
}

export interface Patch {
    agentId?:       null | string;
    enabled?:       boolean | null;
    message?:       null | string;
    name?:          null | string;
    payload?:       null | PayloadPatch;
    schedule?:      any;
    sessionKey?:    null | string;
    sessionTarget?: null | string;
    tz?:            null | string;
    [property: string]: any;
}

export interface PayloadPatch {
    kind?:    Kind;
    message?: null | string;
    [property: string]: any;
}

export interface RequestIDParams {
    requestId: string;
    [property: string]: any;
}

export interface DeviceIDParams {
    deviceId: string;
    [property: string]: any;
}

export interface PairResolvedPayload {
    decision:  string;
    deviceId:  string;
    requestId: string;
    ts:        number;
    [property: string]: any;
}

export interface RevokeParams {
    deviceId: string;
    role:     string;
    [property: string]: any;
}

export interface RotateParams {
    deviceId: string;
    role:     string;
    scopes?:  string[] | null;
    [property: string]: any;
}

/**
 * ``res.error`` and ``hello`` failures: a stable ``code``, a human ``message`` and, where a
 * client branches on it, ``details.code`` (``AUTH_TOKEN_MISMATCH``, ``MISSING_SCOPE``, …).
 */
export interface ErrorShape {
    code:          string;
    details?:      any;
    message:       string;
    retryable?:    boolean | null;
    retryAfterMs?: number | null;
    [property: string]: any;
}

/**
 * ``{"type":"event","event","payload"?,"seq"?,"stateVersion"?}`` pushed by the gateway.
 */
export interface EventFrame {
    event:         string;
    payload?:      any;
    seq?:          number | null;
    stateVersion?: { [key: string]: number } | null;
    type:          EventFrameType;
    [property: string]: any;
}

export enum EventFrameType {
    Event = "event",
}

/**
 * Any frame on the socket, discriminated by `type`.
 *
 * ``{"type":"req","id","method","params"?,"traceparent"?}`` sent by clients.
 *
 * ``{"type":"res","id","ok","payload"?|"error"?}``: exactly one per request with an id.
 *
 * ``{"type":"event","event","payload"?,"seq"?,"stateVersion"?}`` pushed by the gateway.
 */
export interface Frame {
    id?:           string;
    method?:       string;
    params?:       any;
    traceparent?:  null | string;
    type:          FrameType;
    error?:        null | ErrorShape;
    ok?:           boolean;
    payload?:      any;
    event?:        string;
    seq?:          number | null;
    stateVersion?: { [key: string]: number } | null;
    [property: string]: any;
}

export enum FrameType {
    Event = "event",
    Req = "req",
    Res = "res",
}

export interface HealthParams {
    probe?: boolean;
    [property: string]: any;
}

export interface HeartbeatRecord {
    durationMs: number;
    runId:      null | string;
    status:     string;
    text?:      null | string;
    ts:         number;
    [property: string]: any;
}

export interface LogsTailParams {
    cursor?:   number | null;
    limit?:    number;
    maxBytes?: number;
}

export interface ClipParams {
    deviceId?:   null | string;
    durationMs?: number | null;
    /**
     * accepted; Linux has no facing
     */
    facing?:       null | string;
    format?:       FormatEnum | null;
    includeAudio?: boolean | null;
    [property: string]: any;
}

export enum FormatEnum {
    Mp4 = "mp4",
}

export interface ClipResult {
    base64:     string;
    durationMs: number;
    format:     string;
    hasAudio:   boolean;
    [property: string]: any;
}

export interface ListResult {
    devices: CameraDevice[];
    [property: string]: any;
}

export interface CameraDevice {
    deviceType: string;
    id:         string;
    name:       string;
    position?:  string;
    [property: string]: any;
}

export interface SnapParams {
    delayMs?:  number | null;
    deviceId?: null | string;
    /**
     * accepted; Linux has no facing
     */
    facing?:   null | string;
    format?:   PurpleFormat | null;
    maxWidth?: number | null;
    quality?:  number | null;
    [property: string]: any;
}

export enum PurpleFormat {
    JPEG = "jpeg",
    Jpg = "jpg",
}

export interface SnapResult {
    base64: string;
    format: string;
    height: number;
    width:  number;
    [property: string]: any;
}

export interface NavigateParams {
    url: string;
    [property: string]: any;
}

export interface PresentParams {
    placement?: null | Placement;
    url?:       null | string;
    [property: string]: any;
}

export interface Placement {
    height?: number | null;
    width?:  number | null;
    x?:      number | null;
    y?:      number | null;
    [property: string]: any;
}

export interface NodeIDParams {
    nodeId: string;
    [property: string]: any;
}

export interface NodeEventParams {
    event:        string;
    payload?:     any;
    payloadJSON?: null | string;
    [property: string]: any;
}

export interface InvokeParams {
    command:        string;
    idempotencyKey: string;
    nodeId:         string;
    params?:        any;
    timeoutMs?:     number | null;
    [property: string]: any;
}

export interface InvokeResultParams {
    error?:       { [key: string]: any } | null;
    id:           string;
    nodeId?:      null | string;
    ok:           boolean;
    payload?:     any;
    payloadJSON?: null | string;
    [property: string]: any;
}

export interface LocationGetParams {
    desiredAccuracy?: Desiredaccuracy | null;
    maxAgeMs?:        number | null;
    timeoutMs?:       number | null;
    [property: string]: any;
}

export enum Desiredaccuracy {
    Balanced = "balanced",
    Coarse = "coarse",
    Precise = "precise",
}

export interface LocationResult {
    accuracyMeters:  number;
    altitudeMeters?: number | null;
    headingDeg?:     number | null;
    isPrecise:       boolean;
    lat:             number;
    lon:             number;
    source:          Source;
    speedMps?:       number | null;
    timestamp:       string;
    [property: string]: any;
}

export enum Source {
    Cell = "cell",
    Gps = "gps",
    Unknown = "unknown",
    Wifi = "wifi",
}

export interface ToolsParams {
    tools?: any[];
    [property: string]: any;
}

export interface RenameParams {
    displayName: string;
    nodeId:      string;
    [property: string]: any;
}

export interface InventoryParams {
    protocolFeatures?: string[];
    workerHost?:       { [key: string]: any } | null;
    [property: string]: any;
}

export interface RecordParams {
    durationMs?:   number | null;
    format?:       FormatEnum | null;
    fps?:          number | null;
    includeAudio?: boolean | null;
    screenIndex?:  number | null;
    [property: string]: any;
}

export interface RecordResult {
    base64:      string;
    durationMs:  number;
    format:      string;
    fps:         number;
    hasAudio:    boolean;
    screenIndex: number;
    [property: string]: any;
}

export interface SnapshotParams {
    format?:      FluffyFormat | null;
    maxWidth?:    number | null;
    screenIndex?: number | null;
    [property: string]: any;
}

export enum FluffyFormat {
    JPEG = "jpeg",
    Jpg = "jpg",
    PNG = "png",
}

export interface SnapshotResult {
    base64:      string;
    format:      string;
    height:      number;
    screenIndex: number;
    width:       number;
    [property: string]: any;
}

export interface SkillsParams {
    skills?: any[];
    [property: string]: any;
}

export interface WhichParams {
    bins: string[];
    [property: string]: any;
}

export interface PairingCodeParams {
    channel: string;
    code:    string;
    [property: string]: any;
}

export interface PairingListParams {
    channel?: null | string;
    [property: string]: any;
}

export interface PairingRevokeParams {
    channel:  string;
    senderId: string;
    [property: string]: any;
}

export interface PresencePayload {
    presence: { [key: string]: any }[];
    [property: string]: any;
}

/**
 * ``{"type":"req","id","method","params"?,"traceparent"?}`` sent by clients.
 */
export interface RequestFrame {
    id:           string;
    method:       string;
    params?:      any;
    traceparent?: null | string;
    type:         RequestFrameType;
}

export enum RequestFrameType {
    Req = "req",
}

/**
 * ``{"type":"res","id","ok","payload"?|"error"?}``: exactly one per request with an id.
 */
export interface ResponseFrame {
    error?:   null | ErrorShape;
    id:       string;
    ok:       boolean;
    payload?: any;
    type:     ResponseFrameType;
    [property: string]: any;
}

export enum ResponseFrameType {
    Res = "res",
}

export interface SendParams {
    accountId?:     null | string;
    channel?:       null | string;
    idempotencyKey: string;
    mediaUrl?:      null | string;
    message?:       string;
    replyTo?:       null | string;
    threadId?:      null | string;
    to:             string;
    [property: string]: any;
}

export interface SessionParams {
    sessionKey: string;
    [property: string]: any;
}

export interface SetHeartbeatsParams {
    enabled:  boolean;
    everyMs?: number | null;
    [property: string]: any;
}

export interface ShutdownPayload {
    reason:             string;
    restartExpectedMs?: number | null;
    [property: string]: any;
}

export interface SystemEventParams {
    text: string;
    [property: string]: any;
}

export interface TickPayload {
    ts: number;
    [property: string]: any;
}

export interface LoginStartParams {
    accountId?: null | string;
    channel?:   null | string;
    force?:     boolean;
    timeoutMs?: number | null;
    verbose?:   boolean;
}

export interface LoginStartResult {
    connected?:  boolean | null;
    message:     string;
    qrDataUrl?:  null | string;
    sessionKey?: null | string;
}

export interface LoginWaitParams {
    accountId?:        null | string;
    channel?:          null | string;
    currentQrDataUrl?: null | string;
    sessionKey?:       null | string;
    timeoutMs?:        number | null;
}

export interface LoginWaitResult {
    connected:  boolean;
    message:    string;
    qrDataUrl?: null | string;
}

export interface PairCodeParams {
    accountId?: null | string;
    phone:      string;
    timeoutMs?: number | null;
}

export interface PairCodeResult {
    code?:   null | string;
    message: string;
}
