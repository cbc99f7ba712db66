// This file was generated from JSON Schema using quicktype, do not modify it directly.
// To parse the JSON, add this file to your project and do:
//
//   let openClawGatewayProtocol = try OpenClawGatewayProtocol(json)

import Foundation

/// OpenClaw Gateway protocol v4 as served by openclaw-gateway: frames, method
/// params/results, event payloads, node commands
// MARK: - OpenClawGatewayProtocol
struct OpenClawGatewayProtocol: Codable {
    let agentIdentityGetParams: [String: JSONAny]?
    let agentParams: AgentParams?
    let agentsListParams: [String: JSONAny]?
    let agentWaitParams: WaitParams?
    let approvalHistoryParams, auditListParams, boardGetParams: [String: JSONAny]?
    let canvasA2UIPushParams: PushParams?
    let canvasCapabilityParams: SurfaceParams?
    let canvasWriteParams: WriteParams?
    let channelsLogoutParams: LogoutParams?
    let channelsPairingApproveParams: RefApproveParams?
    let channelsPairingDismissParams: RefDismissParams?
    let channelsPairingListParams: RefListParams?
    let channelsStartParams: LogoutParams?
    let channelsStatusParams: StatusParams?
    let channelsStopParams: LogoutParams?
    let chatAbortParams: AbortParams?
    let chatHistoryParams: HistoryParams?
    let chatMetadataParams: [String: JSONAny]?
    let chatSendParams: ChatSendParams?
    let chatStartupParams, configGetParams, configSchemaLookupParams, configSchemaParams: [String: JSONAny]?
    let connectChallengeEvent: ChallengePayload?
    let connectParams: ConnectParams?
    let controlUISessionPullRequestsSubscribeParams: [String: JSONAny]?
    let cronAddParams: AddParams?
    let cronEvent: CronEventPayload?
    let cronGetParams: JobParams?
    let cronListParams: ListParams?
    let cronRemoveParams: JobParams?
    let cronRunParams: RunParams?
    let cronRunsParams: RunsParams?
    let cronStatusParams: [String: JSONAny]?
    let cronUpdateParams: UpdateParams?
    let devicePairApproveParams: RequestIDParams?
    let devicePairListParams: [String: JSONAny]?
    let devicePairRejectParams: RequestIDParams?
    let devicePairRemoveParams: DeviceIDParams?
    let devicePairResolvedEvent: PairResolvedPayload?
    let deviceTokenRevokeParams: RevokeParams?
    let deviceTokenRotateParams: RotateParams?
    let diagnosticsLanesParams, diagnosticsStabilityParams, environmentsListParams: [String: JSONAny]?
    let errorShape: ErrorShape?
    let eventFrame: EventFrame?
    let execApprovalListParams, execApprovalsGetParams: [String: JSONAny]?
    let frame: Frame?
    let healthParams: HealthParams?
    let heartbeatEvent: HeartbeatRecord?
    let lastHeartbeatParams: [String: JSONAny]?
    let logsTailParams: LogsTailParams?
    let mentionsListParams, modelsAuthStatusParams, modelsListParams: [String: JSONAny]?
    let nodeCameraClipParams: ClipParams?
    let nodeCameraClipResult: ClipResult?
    let nodeCameraListResult: ListResult?
    let nodeCameraSnapParams: SnapParams?
    let nodeCameraSnapResult: SnapResult?
    let nodeCanvasNavigateParams: NavigateParams?
    let nodeCanvasPresentParams: PresentParams?
    let nodeDescribeParams: NodeIDParams?
    let nodeEventParams: NodeEventParams?
    let nodeInvokeParams: InvokeParams?
    let nodeInvokeResultParams: InvokeResultParams?
    let nodeListParams: [String: JSONAny]?
    let nodeLocationGetParams: LocationGetParams?
    let nodeLocationGetResult: LocationResult?
    let nodePairApproveParams: RequestIDParams?
    let nodePairListParams: [String: JSONAny]?
    let nodePairRejectParams: RequestIDParams?
    let nodePairRemoveParams: NodeIDParams?
    let nodePluginSurfaceRefreshParams: SurfaceParams?
    let nodePluginToolsUpdateParams: ToolsParams?
    let nodeRenameParams: RenameParams?
    let nodeRunnerInventoryUpdateParams: InventoryParams?
    let nodeScreenRecordParams: RecordParams?
    let nodeScreenRecordResult: RecordResult?
    let nodeScreenSnapshotParams: SnapshotParams?
    let nodeScreenSnapshotResult: SnapshotResult?
    let nodeSkillsUpdateParams: SkillsParams?
    let nodeSystemWhichParams: WhichParams?
    let openclawApprovalListParams, openclawSetupDetectParams: [String: JSONAny]?
    let pairingApproveParams: PairingCodeParams?
    let pairingListParams: PairingListParams?
    let pairingRejectParams: PairingCodeParams?
    let pairingRevokeParams: PairingRevokeParams?
    let pluginApprovalListParams, pluginsCatalogBrowseParams, pluginsCatalogCategoriesParams, pluginsControlUIListParams: [String: JSONAny]?
    let pluginsListParams, pluginSurfaceRefreshParams: [String: JSONAny]?
    let presenceEvent: PresencePayload?
    let progressCardGetParams, projectsListParams, questionListParams: [String: JSONAny]?
    let requestFrame: RequestFrame?
    let responseFrame: ResponseFrame?
    let sendParams: SendParams?
    let sessionDiscussionInfoParams, sessionsBranchesListParams, sessionsCatalogListParams, sessionsCompanionStateParams: [String: JSONAny]?
    let sessionsDescribeParams, sessionsGroupsDefaultsParams, sessionsGroupsListParams, sessionsListParams: [String: JSONAny]?
    let sessionsMessagesSubscribeParams, sessionsObserverVisibilityParams: [String: JSONAny]?
    let sessionsResetParams: SessionParams?
    let sessionsSubscribeParams, sessionsUsageParams, sessionsViewersSetParams: [String: JSONAny]?
    let setHeartbeatsParams: SetHeartbeatsParams?
    let shutdownEvent: ShutdownPayload?
    let skillsLibraryListParams, skillsSearchParams, skillsStatusParams, statusParams: [String: JSONAny]?
    let systemEventParams: SystemEventParams?
    let systemInfoParams, systemPresenceParams, talkCatalogParams, tasksListParams: [String: JSONAny]?
    let taskSuggestionsListParams, themesListParams: [String: JSONAny]?
    let tickEvent: TickPayload?
    let updateStatusParams, usageCostParams, usageStatusParams, usersListParams: [String: JSONAny]?
    let usersPrefsGetParams: [String: JSONAny]?
    let webLoginStartParams: LoginStartParams?
    let webLoginStartResult: LoginStartResult?
    let webLoginWaitParams: LoginWaitParams?
    let webLoginWaitResult: LoginWaitResult?
    let whatsappLoginPairCodeParams: PairCodeParams?
    let whatsappLoginPairCodeResult: PairCodeResult?

    enum CodingKeys: String, CodingKey {
        case agentIdentityGetParams, agentParams, agentsListParams, agentWaitParams, approvalHistoryParams, auditListParams, boardGetParams
        case canvasA2UIPushParams = "canvasA2uiPushParams"
        case canvasCapabilityParams, canvasWriteParams, channelsLogoutParams, channelsPairingApproveParams, channelsPairingDismissParams, channelsPairingListParams, channelsStartParams, channelsStatusParams, channelsStopParams, chatAbortParams, chatHistoryParams, chatMetadataParams, chatSendParams, chatStartupParams, configGetParams, configSchemaLookupParams, configSchemaParams, connectChallengeEvent, connectParams
        case controlUISessionPullRequestsSubscribeParams = "controlUiSessionPullRequestsSubscribeParams"
        case cronAddParams, cronEvent, cronGetParams, cronListParams, cronRemoveParams, cronRunParams, cronRunsParams, cronStatusParams, cronUpdateParams, devicePairApproveParams, devicePairListParams, devicePairRejectParams, devicePairRemoveParams, devicePairResolvedEvent, deviceTokenRevokeParams, deviceTokenRotateParams, diagnosticsLanesParams, diagnosticsStabilityParams, environmentsListParams, errorShape, eventFrame, execApprovalListParams, execApprovalsGetParams, frame, healthParams, heartbeatEvent, lastHeartbeatParams, logsTailParams, mentionsListParams, modelsAuthStatusParams, modelsListParams, nodeCameraClipParams, nodeCameraClipResult, nodeCameraListResult, nodeCameraSnapParams, nodeCameraSnapResult, nodeCanvasNavigateParams, nodeCanvasPresentParams, nodeDescribeParams, nodeEventParams, nodeInvokeParams, nodeInvokeResultParams, nodeListParams, nodeLocationGetParams, nodeLocationGetResult, nodePairApproveParams, nodePairListParams, nodePairRejectParams, nodePairRemoveParams, nodePluginSurfaceRefreshParams, nodePluginToolsUpdateParams, nodeRenameParams, nodeRunnerInventoryUpdateParams, nodeScreenRecordParams, nodeScreenRecordResult, nodeScreenSnapshotParams, nodeScreenSnapshotResult, nodeSkillsUpdateParams, nodeSystemWhichParams, openclawApprovalListParams, openclawSetupDetectParams, pairingApproveParams, pairingListParams, pairingRejectParams, pairingRevokeParams, pluginApprovalListParams, pluginsCatalogBrowseParams, pluginsCatalogCategoriesParams
        case pluginsControlUIListParams = "pluginsControlUiListParams"
        case pluginsListParams, pluginSurfaceRefreshParams, presenceEvent, progressCardGetParams, projectsListParams, questionListParams, requestFrame, responseFrame, sendParams, sessionDiscussionInfoParams, sessionsBranchesListParams, sessionsCatalogListParams, sessionsCompanionStateParams, sessionsDescribeParams, sessionsGroupsDefaultsParams, sessionsGroupsListParams, sessionsListParams, sessionsMessagesSubscribeParams, sessionsObserverVisibilityParams, sessionsResetParams, sessionsSubscribeParams, sessionsUsageParams, sessionsViewersSetParams, setHeartbeatsParams, shutdownEvent, skillsLibraryListParams, skillsSearchParams, skillsStatusParams, statusParams, systemEventParams, systemInfoParams, systemPresenceParams, talkCatalogParams, tasksListParams, taskSuggestionsListParams, themesListParams, tickEvent, updateStatusParams, usageCostParams, usageStatusParams, usersListParams, usersPrefsGetParams, webLoginStartParams, webLoginStartResult, webLoginWaitParams, webLoginWaitResult, whatsappLoginPairCodeParams, whatsappLoginPairCodeResult
    }
}

// MARK: OpenClawGatewayProtocol convenience initializers and mutators

extension OpenClawGatewayProtocol {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(OpenClawGatewayProtocol.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        agentIdentityGetParams: [String: JSONAny]?? = nil,
        agentParams: AgentParams?? = nil,
        agentsListParams: [String: JSONAny]?? = nil,
        agentWaitParams: WaitParams?? = nil,
        approvalHistoryParams: [String: JSONAny]?? = nil,
        auditListParams: [String: JSONAny]?? = nil,
        boardGetParams: [String: JSONAny]?? = nil,
        canvasA2UIPushParams: PushParams?? = nil,
        canvasCapabilityParams: SurfaceParams?? = nil,
        canvasWriteParams: WriteParams?? = nil,
        channelsLogoutParams: LogoutParams?? = nil,
        channelsPairingApproveParams: RefApproveParams?? = nil,
        channelsPairingDismissParams: RefDismissParams?? = nil,
        channelsPairingListParams: RefListParams?? = nil,
        channelsStartParams: LogoutParams?? = nil,
        channelsStatusParams: StatusParams?? = nil,
        channelsStopParams: LogoutParams?? = nil,
        chatAbortParams: AbortParams?? = nil,
        chatHistoryParams: HistoryParams?? = nil,
        chatMetadataParams: [String: JSONAny]?? = nil,
        chatSendParams: ChatSendParams?? = nil,
        chatStartupParams: [String: JSONAny]?? = nil,
        configGetParams: [String: JSONAny]?? = nil,
        configSchemaLookupParams: [String: JSONAny]?? = nil,
        configSchemaParams: [String: JSONAny]?? = nil,
        connectChallengeEvent: ChallengePayload?? = nil,
        connectParams: ConnectParams?? = nil,
        controlUISessionPullRequestsSubscribeParams: [String: JSONAny]?? = nil,
        cronAddParams: AddParams?? = nil,
        cronEvent: CronEventPayload?? = nil,
        cronGetParams: JobParams?? = nil,
        cronListParams: ListParams?? = nil,
        cronRemoveParams: JobParams?? = nil,
        cronRunParams: RunParams?? = nil,
        cronRunsParams: RunsParams?? = nil,
        cronStatusParams: [String: JSONAny]?? = nil,
        cronUpdateParams: UpdateParams?? = nil,
        devicePairApproveParams: RequestIDParams?? = nil,
        devicePairListParams: [String: JSONAny]?? = nil,
        devicePairRejectParams: RequestIDParams?? = nil,
        devicePairRemoveParams: DeviceIDParams?? = nil,
        devicePairResolvedEvent: PairResolvedPayload?? = nil,
        deviceTokenRevokeParams: RevokeParams?? = nil,
        deviceTokenRotateParams: RotateParams?? = nil,
        diagnosticsLanesParams: [String: JSONAny]?? = nil,
        diagnosticsStabilityParams: [String: JSONAny]?? = nil,
        environmentsListParams: [String: JSONAny]?? = nil,
        errorShape: ErrorShape?? = nil,
        eventFrame: EventFrame?? = nil,
        execApprovalListParams: [String: JSONAny]?? = nil,
        execApprovalsGetParams: [String: JSONAny]?? = nil,
        frame: Frame?? = nil,
        healthParams: HealthParams?? = nil,
        heartbeatEvent: HeartbeatRecord?? = nil,
        lastHeartbeatParams: [String: JSONAny]?? = nil,
        logsTailParams: LogsTailParams?? = nil,
        mentionsListParams: [String: JSONAny]?? = nil,
        modelsAuthStatusParams: [String: JSONAny]?? = nil,
        modelsListParams: [String: JSONAny]?? = nil,
        nodeCameraClipParams: ClipParams?? = nil,
        nodeCameraClipResult: ClipResult?? = nil,
        nodeCameraListResult: ListResult?? = nil,
        nodeCameraSnapParams: SnapParams?? = nil,
        nodeCameraSnapResult: SnapResult?? = nil,
        nodeCanvasNavigateParams: NavigateParams?? = nil,
        nodeCanvasPresentParams: PresentParams?? = nil,
        nodeDescribeParams: NodeIDParams?? = nil,
        nodeEventParams: NodeEventParams?? = nil,
        nodeInvokeParams: InvokeParams?? = nil,
        nodeInvokeResultParams: InvokeResultParams?? = nil,
        nodeListParams: [String: JSONAny]?? = nil,
        nodeLocationGetParams: LocationGetParams?? = nil,
        nodeLocationGetResult: LocationResult?? = nil,
        nodePairApproveParams: RequestIDParams?? = nil,
        nodePairListParams: [String: JSONAny]?? = nil,
        nodePairRejectParams: RequestIDParams?? = nil,
        nodePairRemoveParams: NodeIDParams?? = nil,
        nodePluginSurfaceRefreshParams: SurfaceParams?? = nil,
        nodePluginToolsUpdateParams: ToolsParams?? = nil,
        nodeRenameParams: RenameParams?? = nil,
        nodeRunnerInventoryUpdateParams: InventoryParams?? = nil,
        nodeScreenRecordParams: RecordParams?? = nil,
        nodeScreenRecordResult: RecordResult?? = nil,
        nodeScreenSnapshotParams: SnapshotParams?? = nil,
        nodeScreenSnapshotResult: SnapshotResult?? = nil,
        nodeSkillsUpdateParams: SkillsParams?? = nil,
        nodeSystemWhichParams: WhichParams?? = nil,
        openclawApprovalListParams: [String: JSONAny]?? = nil,
        openclawSetupDetectParams: [String: JSONAny]?? = nil,
        pairingApproveParams: PairingCodeParams?? = nil,
        pairingListParams: PairingListParams?? = nil,
        pairingRejectParams: PairingCodeParams?? = nil,
        pairingRevokeParams: PairingRevokeParams?? = nil,
        pluginApprovalListParams: [String: JSONAny]?? = nil,
        pluginsCatalogBrowseParams: [String: JSONAny]?? = nil,
        pluginsCatalogCategoriesParams: [String: JSONAny]?? = nil,
        pluginsControlUIListParams: [String: JSONAny]?? = nil,
        pluginsListParams: [String: JSONAny]?? = nil,
        pluginSurfaceRefreshParams: [String: JSONAny]?? = nil,
        presenceEvent: PresencePayload?? = nil,
        progressCardGetParams: [String: JSONAny]?? = nil,
        projectsListParams: [String: JSONAny]?? = nil,
        questionListParams: [String: JSONAny]?? = nil,
        requestFrame: RequestFrame?? = nil,
        responseFrame: ResponseFrame?? = nil,
        sendParams: SendParams?? = nil,
        sessionDiscussionInfoParams: [String: JSONAny]?? = nil,
        sessionsBranchesListParams: [String: JSONAny]?? = nil,
        sessionsCatalogListParams: [String: JSONAny]?? = nil,
        sessionsCompanionStateParams: [String: JSONAny]?? = nil,
        sessionsDescribeParams: [String: JSONAny]?? = nil,
        sessionsGroupsDefaultsParams: [String: JSONAny]?? = nil,
        sessionsGroupsListParams: [String: JSONAny]?? = nil,
        sessionsListParams: [String: JSONAny]?? = nil,
        sessionsMessagesSubscribeParams: [String: JSONAny]?? = nil,
        sessionsObserverVisibilityParams: [String: JSONAny]?? = nil,
        sessionsResetParams: SessionParams?? = nil,
        sessionsSubscribeParams: [String: JSONAny]?? = nil,
        sessionsUsageParams: [String: JSONAny]?? = nil,
        sessionsViewersSetParams: [String: JSONAny]?? = nil,
        setHeartbeatsParams: SetHeartbeatsParams?? = nil,
        shutdownEvent: ShutdownPayload?? = nil,
        skillsLibraryListParams: [String: JSONAny]?? = nil,
        skillsSearchParams: [String: JSONAny]?? = nil,
        skillsStatusParams: [String: JSONAny]?? = nil,
        statusParams: [String: JSONAny]?? = nil,
        systemEventParams: SystemEventParams?? = nil,
        systemInfoParams: [String: JSONAny]?? = nil,
        systemPresenceParams: [String: JSONAny]?? = nil,
        talkCatalogParams: [String: JSONAny]?? = nil,
        tasksListParams: [String: JSONAny]?? = nil,
        taskSuggestionsListParams: [String: JSONAny]?? = nil,
        themesListParams: [String: JSONAny]?? = nil,
        tickEvent: TickPayload?? = nil,
        updateStatusParams: [String: JSONAny]?? = nil,
        usageCostParams: [String: JSONAny]?? = nil,
        usageStatusParams: [String: JSONAny]?? = nil,
        usersListParams: [String: JSONAny]?? = nil,
        usersPrefsGetParams: [String: JSONAny]?? = nil,
        webLoginStartParams: LoginStartParams?? = nil,
        webLoginStartResult: LoginStartResult?? = nil,
        webLoginWaitParams: LoginWaitParams?? = nil,
        webLoginWaitResult: LoginWaitResult?? = nil,
        whatsappLoginPairCodeParams: PairCodeParams?? = nil,
        whatsappLoginPairCodeResult: PairCodeResult?? = nil
    ) -> OpenClawGatewayProtocol {
        return OpenClawGatewayProtocol(
            agentIdentityGetParams: agentIdentityGetParams ?? self.agentIdentityGetParams,
            agentParams: agentParams ?? self.agentParams,
            agentsListParams: agentsListParams ?? self.agentsListParams,
            agentWaitParams: agentWaitParams ?? self.agentWaitParams,
            approvalHistoryParams: approvalHistoryParams ?? self.approvalHistoryParams,
            auditListParams: auditListParams ?? self.auditListParams,
            boardGetParams: boardGetParams ?? self.boardGetParams,
            canvasA2UIPushParams: canvasA2UIPushParams ?? self.canvasA2UIPushParams,
            canvasCapabilityParams: canvasCapabilityParams ?? self.canvasCapabilityParams,
            canvasWriteParams: canvasWriteParams ?? self.canvasWriteParams,
            channelsLogoutParams: channelsLogoutParams ?? self.channelsLogoutParams,
            channelsPairingApproveParams: channelsPairingApproveParams ?? self.channelsPairingApproveParams,
            channelsPairingDismissParams: channelsPairingDismissParams ?? self.channelsPairingDismissParams,
            channelsPairingListParams: channelsPairingListParams ?? self.channelsPairingListParams,
            channelsStartParams: channelsStartParams ?? self.channelsStartParams,
            channelsStatusParams: channelsStatusParams ?? self.channelsStatusParams,
            channelsStopParams: channelsStopParams ?? self.channelsStopParams,
            chatAbortParams: chatAbortParams ?? self.chatAbortParams,
            chatHistoryParams: chatHistoryParams ?? self.chatHistoryParams,
            chatMetadataParams: chatMetadataParams ?? self.chatMetadataParams,
            chatSendParams: chatSendParams ?? self.chatSendParams,
            chatStartupParams: chatStartupParams ?? self.chatStartupParams,
            configGetParams: configGetParams ?? self.configGetParams,
            configSchemaLookupParams: configSchemaLookupParams ?? self.configSchemaLookupParams,
            configSchemaParams: configSchemaParams ?? self.configSchemaParams,
            connectChallengeEvent: connectChallengeEvent ?? self.connectChallengeEvent,
            connectParams: connectParams ?? self.connectParams,
            controlUISessionPullRequestsSubscribeParams: controlUISessionPullRequestsSubscribeParams ?? self.controlUISessionPullRequestsSubscribeParams,
            cronAddParams: cronAddParams ?? self.cronAddParams,
            cronEvent: cronEvent ?? self.cronEvent,
            cronGetParams: cronGetParams ?? self.cronGetParams,
            cronListParams: cronListParams ?? self.cronListParams,
            cronRemoveParams: cronRemoveParams ?? self.cronRemoveParams,
            cronRunParams: cronRunParams ?? self.cronRunParams,
            cronRunsParams: cronRunsParams ?? self.cronRunsParams,
            cronStatusParams: cronStatusParams ?? self.cronStatusParams,
            cronUpdateParams: cronUpdateParams ?? self.cronUpdateParams,
            devicePairApproveParams: devicePairApproveParams ?? self.devicePairApproveParams,
            devicePairListParams: devicePairListParams ?? self.devicePairListParams,
            devicePairRejectParams: devicePairRejectParams ?? self.devicePairRejectParams,
            devicePairRemoveParams: devicePairRemoveParams ?? self.devicePairRemoveParams,
            devicePairResolvedEvent: devicePairResolvedEvent ?? self.devicePairResolvedEvent,
            deviceTokenRevokeParams: deviceTokenRevokeParams ?? self.deviceTokenRevokeParams,
            deviceTokenRotateParams: deviceTokenRotateParams ?? self.deviceTokenRotateParams,
            diagnosticsLanesParams: diagnosticsLanesParams ?? self.diagnosticsLanesParams,
            diagnosticsStabilityParams: diagnosticsStabilityParams ?? self.diagnosticsStabilityParams,
            environmentsListParams: environmentsListParams ?? self.environmentsListParams,
            errorShape: errorShape ?? self.errorShape,
            eventFrame: eventFrame ?? self.eventFrame,
            execApprovalListParams: execApprovalListParams ?? self.execApprovalListParams,
            execApprovalsGetParams: execApprovalsGetParams ?? self.execApprovalsGetParams,
            frame: frame ?? self.frame,
            healthParams: healthParams ?? self.healthParams,
            heartbeatEvent: heartbeatEvent ?? self.heartbeatEvent,
            lastHeartbeatParams: lastHeartbeatParams ?? self.lastHeartbeatParams,
            logsTailParams: logsTailParams ?? self.logsTailParams,
            mentionsListParams: mentionsListParams ?? self.mentionsListParams,
            modelsAuthStatusParams: modelsAuthStatusParams ?? self.modelsAuthStatusParams,
            modelsListParams: modelsListParams ?? self.modelsListParams,
            nodeCameraClipParams: nodeCameraClipParams ?? self.nodeCameraClipParams,
            nodeCameraClipResult: nodeCameraClipResult ?? self.nodeCameraClipResult,
            nodeCameraListResult: nodeCameraListResult ?? self.nodeCameraListResult,
            nodeCameraSnapParams: nodeCameraSnapParams ?? self.nodeCameraSnapParams,
            nodeCameraSnapResult: nodeCameraSnapResult ?? self.nodeCameraSnapResult,
            nodeCanvasNavigateParams: nodeCanvasNavigateParams ?? self.nodeCanvasNavigateParams,
            nodeCanvasPresentParams: nodeCanvasPresentParams ?? self.nodeCanvasPresentParams,
            nodeDescribeParams: nodeDescribeParams ?? self.nodeDescribeParams,
            nodeEventParams: nodeEventParams ?? self.nodeEventParams,
            nodeInvokeParams: nodeInvokeParams ?? self.nodeInvokeParams,
            nodeInvokeResultParams: nodeInvokeResultParams ?? self.nodeInvokeResultParams,
            nodeListParams: nodeListParams ?? self.nodeListParams,
            nodeLocationGetParams: nodeLocationGetParams ?? self.nodeLocationGetParams,
            nodeLocationGetResult: nodeLocationGetResult ?? self.nodeLocationGetResult,
            nodePairApproveParams: nodePairApproveParams ?? self.nodePairApproveParams,
            nodePairListParams: nodePairListParams ?? self.nodePairListParams,
            nodePairRejectParams: nodePairRejectParams ?? self.nodePairRejectParams,
            nodePairRemoveParams: nodePairRemoveParams ?? self.nodePairRemoveParams,
            nodePluginSurfaceRefreshParams: nodePluginSurfaceRefreshParams ?? self.nodePluginSurfaceRefreshParams,
            nodePluginToolsUpdateParams: nodePluginToolsUpdateParams ?? self.nodePluginToolsUpdateParams,
            nodeRenameParams: nodeRenameParams ?? self.nodeRenameParams,
            nodeRunnerInventoryUpdateParams: nodeRunnerInventoryUpdateParams ?? self.nodeRunnerInventoryUpdateParams,
            nodeScreenRecordParams: nodeScreenRecordParams ?? self.nodeScreenRecordParams,
            nodeScreenRecordResult: nodeScreenRecordResult ?? self.nodeScreenRecordResult,
            nodeScreenSnapshotParams: nodeScreenSnapshotParams ?? self.nodeScreenSnapshotParams,
            nodeScreenSnapshotResult: nodeScreenSnapshotResult ?? self.nodeScreenSnapshotResult,
            nodeSkillsUpdateParams: nodeSkillsUpdateParams ?? self.nodeSkillsUpdateParams,
            nodeSystemWhichParams: nodeSystemWhichParams ?? self.nodeSystemWhichParams,
            openclawApprovalListParams: openclawApprovalListParams ?? self.openclawApprovalListParams,
            openclawSetupDetectParams: openclawSetupDetectParams ?? self.openclawSetupDetectParams,
            pairingApproveParams: pairingApproveParams ?? self.pairingApproveParams,
            pairingListParams: pairingListParams ?? self.pairingListParams,
            pairingRejectParams: pairingRejectParams ?? self.pairingRejectParams,
            pairingRevokeParams: pairingRevokeParams ?? self.pairingRevokeParams,
            pluginApprovalListParams: pluginApprovalListParams ?? self.pluginApprovalListParams,
            pluginsCatalogBrowseParams: pluginsCatalogBrowseParams ?? self.pluginsCatalogBrowseParams,
            pluginsCatalogCategoriesParams: pluginsCatalogCategoriesParams ?? self.pluginsCatalogCategoriesParams,
            pluginsControlUIListParams: pluginsControlUIListParams ?? self.pluginsControlUIListParams,
            pluginsListParams: pluginsListParams ?? self.pluginsListParams,
            pluginSurfaceRefreshParams: pluginSurfaceRefreshParams ?? self.pluginSurfaceRefreshParams,
            presenceEvent: presenceEvent ?? self.presenceEvent,
            progressCardGetParams: progressCardGetParams ?? self.progressCardGetParams,
            projectsListParams: projectsListParams ?? self.projectsListParams,
            questionListParams: questionListParams ?? self.questionListParams,
            requestFrame: requestFrame ?? self.requestFrame,
            responseFrame: responseFrame ?? self.responseFrame,
            sendParams: sendParams ?? self.sendParams,
            sessionDiscussionInfoParams: sessionDiscussionInfoParams ?? self.sessionDiscussionInfoParams,
            sessionsBranchesListParams: sessionsBranchesListParams ?? self.sessionsBranchesListParams,
            sessionsCatalogListParams: sessionsCatalogListParams ?? self.sessionsCatalogListParams,
            sessionsCompanionStateParams: sessionsCompanionStateParams ?? self.sessionsCompanionStateParams,
            sessionsDescribeParams: sessionsDescribeParams ?? self.sessionsDescribeParams,
            sessionsGroupsDefaultsParams: sessionsGroupsDefaultsParams ?? self.sessionsGroupsDefaultsParams,
            sessionsGroupsListParams: sessionsGroupsListParams ?? self.sessionsGroupsListParams,
            sessionsListParams: sessionsListParams ?? self.sessionsListParams,
            sessionsMessagesSubscribeParams: sessionsMessagesSubscribeParams ?? self.sessionsMessagesSubscribeParams,
            sessionsObserverVisibilityParams: sessionsObserverVisibilityParams ?? self.sessionsObserverVisibilityParams,
            sessionsResetParams: sessionsResetParams ?? self.sessionsResetParams,
            sessionsSubscribeParams: sessionsSubscribeParams ?? self.sessionsSubscribeParams,
            sessionsUsageParams: sessionsUsageParams ?? self.sessionsUsageParams,
            sessionsViewersSetParams: sessionsViewersSetParams ?? self.sessionsViewersSetParams,
            setHeartbeatsParams: setHeartbeatsParams ?? self.setHeartbeatsParams,
            shutdownEvent: shutdownEvent ?? self.shutdownEvent,
            skillsLibraryListParams: skillsLibraryListParams ?? self.skillsLibraryListParams,
            skillsSearchParams: skillsSearchParams ?? self.skillsSearchParams,
            skillsStatusParams: skillsStatusParams ?? self.skillsStatusParams,
            statusParams: statusParams ?? self.statusParams,
            systemEventParams: systemEventParams ?? self.systemEventParams,
            systemInfoParams: systemInfoParams ?? self.systemInfoParams,
            systemPresenceParams: systemPresenceParams ?? self.systemPresenceParams,
            talkCatalogParams: talkCatalogParams ?? self.talkCatalogParams,
            tasksListParams: tasksListParams ?? self.tasksListParams,
            taskSuggestionsListParams: taskSuggestionsListParams ?? self.taskSuggestionsListParams,
            themesListParams: themesListParams ?? self.themesListParams,
            tickEvent: tickEvent ?? self.tickEvent,
            updateStatusParams: updateStatusParams ?? self.updateStatusParams,
            usageCostParams: usageCostParams ?? self.usageCostParams,
            usageStatusParams: usageStatusParams ?? self.usageStatusParams,
            usersListParams: usersListParams ?? self.usersListParams,
            usersPrefsGetParams: usersPrefsGetParams ?? self.usersPrefsGetParams,
            webLoginStartParams: webLoginStartParams ?? self.webLoginStartParams,
            webLoginStartResult: webLoginStartResult ?? self.webLoginStartResult,
            webLoginWaitParams: webLoginWaitParams ?? self.webLoginWaitParams,
            webLoginWaitResult: webLoginWaitResult ?? self.webLoginWaitResult,
            whatsappLoginPairCodeParams: whatsappLoginPairCodeParams ?? self.whatsappLoginPairCodeParams,
            whatsappLoginPairCodeResult: whatsappLoginPairCodeResult ?? self.whatsappLoginPairCodeResult
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - AgentParams
struct AgentParams: Codable {
    let agentID: String?
    let attachments: [AttachmentParam]?
    let idempotencyKey: String
    let message: String
    let sessionID, sessionKey: String?

    enum CodingKeys: String, CodingKey {
        case agentID = "agentId"
        case attachments, idempotencyKey, message
        case sessionID = "sessionId"
        case sessionKey
    }
}

// MARK: AgentParams convenience initializers and mutators

extension AgentParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(AgentParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        agentID: String?? = nil,
        attachments: [AttachmentParam]?? = nil,
        idempotencyKey: String? = nil,
        message: String? = nil,
        sessionID: String?? = nil,
        sessionKey: String?? = nil
    ) -> AgentParams {
        return AgentParams(
            agentID: agentID ?? self.agentID,
            attachments: attachments ?? self.attachments,
            idempotencyKey: idempotencyKey ?? self.idempotencyKey,
            message: message ?? self.message,
            sessionID: sessionID ?? self.sessionID,
            sessionKey: sessionKey ?? self.sessionKey
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// ``{type?, mimeType?, fileName?, content: <base64>}`` as the reference's clients send it
/// (``content`` may also be a ``data:`` URL); decoded and checked against
/// ``hello-ok.policy.attachments`` here, so a bad one is an INVALID_REQUEST with its path.
// MARK: - AttachmentParam
struct AttachmentParam: Codable {
    let content: String
    let fileName: String?
    let mimeType: String?
    let type: String?
}

// MARK: AttachmentParam convenience initializers and mutators

extension AttachmentParam {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(AttachmentParam.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        content: String? = nil,
        fileName: String?? = nil,
        mimeType: String?? = nil,
        type: String?? = nil
    ) -> AttachmentParam {
        return AttachmentParam(
            content: content ?? self.content,
            fileName: fileName ?? self.fileName,
            mimeType: mimeType ?? self.mimeType,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - WaitParams
struct WaitParams: Codable {
    let runID: String
    let timeoutMS: Int?

    enum CodingKeys: String, CodingKey {
        case runID = "runId"
        case timeoutMS = "timeoutMs"
    }
}

// MARK: WaitParams convenience initializers and mutators

extension WaitParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(WaitParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        runID: String? = nil,
        timeoutMS: Int?? = nil
    ) -> WaitParams {
        return WaitParams(
            runID: runID ?? self.runID,
            timeoutMS: timeoutMS ?? self.timeoutMS
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - PushParams
struct PushParams: Codable {
    let documentID: String?
    let idempotencyKey: String
    let messages: [JSONAny]
    let title: String?

    enum CodingKeys: String, CodingKey {
        case documentID = "documentId"
        case idempotencyKey, messages, title
    }
}

// MARK: PushParams convenience initializers and mutators

extension PushParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PushParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        documentID: String?? = nil,
        idempotencyKey: String? = nil,
        messages: [JSONAny]? = nil,
        title: String?? = nil
    ) -> PushParams {
        return PushParams(
            documentID: documentID ?? self.documentID,
            idempotencyKey: idempotencyKey ?? self.idempotencyKey,
            messages: messages ?? self.messages,
            title: title ?? self.title
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - SurfaceParams
struct SurfaceParams: Codable {
    let observedURL: String?
    let surface: String

    enum CodingKeys: String, CodingKey {
        case observedURL = "observedUrl"
        case surface
    }
}

// MARK: SurfaceParams convenience initializers and mutators

extension SurfaceParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(SurfaceParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        observedURL: String?? = nil,
        surface: String? = nil
    ) -> SurfaceParams {
        return SurfaceParams(
            observedURL: observedURL ?? self.observedURL,
            surface: surface ?? self.surface
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - WriteParams
struct WriteParams: Codable {
    /// omit to create a new document
    let documentID: String?
    let html: String
    let idempotencyKey: String
    let title: String?

    enum CodingKeys: String, CodingKey {
        case documentID = "documentId"
        case html, idempotencyKey, title
    }
}

// MARK: WriteParams convenience initializers and mutators

extension WriteParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(WriteParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        documentID: String?? = nil,
        html: String? = nil,
        idempotencyKey: String? = nil,
        title: String?? = nil
    ) -> WriteParams {
        return WriteParams(
            documentID: documentID ?? self.documentID,
            html: html ?? self.html,
            idempotencyKey: idempotencyKey ?? self.idempotencyKey,
            title: title ?? self.title
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// ``{channel, accountId}`` of ``channels.logout``, ``channels.stop`` and ``channels.start``.
// MARK: - LogoutParams
struct LogoutParams: Codable {
    let accountID: String?
    let channel: String

    enum CodingKeys: String, CodingKey {
        case accountID = "accountId"
        case channel
    }
}

// MARK: LogoutParams convenience initializers and mutators

extension LogoutParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(LogoutParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        accountID: String?? = nil,
        channel: String? = nil
    ) -> LogoutParams {
        return LogoutParams(
            accountID: accountID ?? self.accountID,
            channel: channel ?? self.channel
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - RefApproveParams
struct RefApproveParams: Codable {
    let accountID: String
    let bootstrapCommandOwner: Bool?
    let channel: String
    let notify: Bool?
    let requestID: String

    enum CodingKeys: String, CodingKey {
        case accountID = "accountId"
        case bootstrapCommandOwner, channel, notify
        case requestID = "requestId"
    }
}

// MARK: RefApproveParams convenience initializers and mutators

extension RefApproveParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RefApproveParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        accountID: String? = nil,
        bootstrapCommandOwner: Bool?? = nil,
        channel: String? = nil,
        notify: Bool?? = nil,
        requestID: String? = nil
    ) -> RefApproveParams {
        return RefApproveParams(
            accountID: accountID ?? self.accountID,
            bootstrapCommandOwner: bootstrapCommandOwner ?? self.bootstrapCommandOwner,
            channel: channel ?? self.channel,
            notify: notify ?? self.notify,
            requestID: requestID ?? self.requestID
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - RefDismissParams
struct RefDismissParams: Codable {
    let accountID, channel: String
    let requestID: String

    enum CodingKeys: String, CodingKey {
        case accountID = "accountId"
        case channel
        case requestID = "requestId"
    }
}

// MARK: RefDismissParams convenience initializers and mutators

extension RefDismissParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RefDismissParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        accountID: String? = nil,
        channel: String? = nil,
        requestID: String? = nil
    ) -> RefDismissParams {
        return RefDismissParams(
            accountID: accountID ?? self.accountID,
            channel: channel ?? self.channel,
            requestID: requestID ?? self.requestID
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - RefListParams
struct RefListParams: Codable {
    let accountID, channel: String?

    enum CodingKeys: String, CodingKey {
        case accountID = "accountId"
        case channel
    }
}

// MARK: RefListParams convenience initializers and mutators

extension RefListParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RefListParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        accountID: String?? = nil,
        channel: String?? = nil
    ) -> RefListParams {
        return RefListParams(
            accountID: accountID ?? self.accountID,
            channel: channel ?? self.channel
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - StatusParams
struct StatusParams: Codable {
    let probe: Bool?
}

// MARK: StatusParams convenience initializers and mutators

extension StatusParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(StatusParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        probe: Bool?? = nil
    ) -> StatusParams {
        return StatusParams(
            probe: probe ?? self.probe
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - AbortParams
struct AbortParams: Codable {
    let runID: String?
    let sessionKey: String

    enum CodingKeys: String, CodingKey {
        case runID = "runId"
        case sessionKey
    }
}

// MARK: AbortParams convenience initializers and mutators

extension AbortParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(AbortParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        runID: String?? = nil,
        sessionKey: String? = nil
    ) -> AbortParams {
        return AbortParams(
            runID: runID ?? self.runID,
            sessionKey: sessionKey ?? self.sessionKey
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - HistoryParams
struct HistoryParams: Codable {
    let limit: Int?
    let sessionKey: String
}

// MARK: HistoryParams convenience initializers and mutators

extension HistoryParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(HistoryParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        limit: Int?? = nil,
        sessionKey: String? = nil
    ) -> HistoryParams {
        return HistoryParams(
            limit: limit ?? self.limit,
            sessionKey: sessionKey ?? self.sessionKey
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - ChatSendParams
struct ChatSendParams: Codable {
    let attachments: [AttachmentParam]?
    let idempotencyKey: String
    let message: String
    let sessionKey: String?
}

// MARK: ChatSendParams convenience initializers and mutators

extension ChatSendParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ChatSendParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        attachments: [AttachmentParam]?? = nil,
        idempotencyKey: String? = nil,
        message: String? = nil,
        sessionKey: String?? = nil
    ) -> ChatSendParams {
        return ChatSendParams(
            attachments: attachments ?? self.attachments,
            idempotencyKey: idempotencyKey ?? self.idempotencyKey,
            message: message ?? self.message,
            sessionKey: sessionKey ?? self.sessionKey
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - ChallengePayload
struct ChallengePayload: Codable {
    let nonce: String
    let ts: Int
}

// MARK: ChallengePayload convenience initializers and mutators

extension ChallengePayload {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ChallengePayload.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        nonce: String? = nil,
        ts: Int? = nil
    ) -> ChallengePayload {
        return ChallengePayload(
            nonce: nonce ?? self.nonce,
            ts: ts ?? self.ts
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// ``connect`` request params (PROTOCOL.md §3 step 3).
// MARK: - ConnectParams
struct ConnectParams: Codable {
    let auth: AuthParams?
    let caps: [String]?
    let client: ClientInfo
    let commands: [String]?
    let computerUse: JSONAny?
    let device: DeviceProof?
    let locale: String?
    let maxProtocol, minProtocol: Int
    let modelCatalog: JSONAny?
    let pathEnv: String?
    let permissions: [String: Bool]?
    let role: String?
    let scopes: [String]?
    let userAgent: String?
    let workerRuns: JSONAny?
}

// MARK: ConnectParams convenience initializers and mutators

extension ConnectParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ConnectParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        auth: AuthParams?? = nil,
        caps: [String]?? = nil,
        client: ClientInfo? = nil,
        commands: [String]?? = nil,
        computerUse: JSONAny?? = nil,
        device: DeviceProof?? = nil,
        locale: String?? = nil,
        maxProtocol: Int? = nil,
        minProtocol: Int? = nil,
        modelCatalog: JSONAny?? = nil,
        pathEnv: String?? = nil,
        permissions: [String: Bool]?? = nil,
        role: String?? = nil,
        scopes: [String]?? = nil,
        userAgent: String?? = nil,
        workerRuns: JSONAny?? = nil
    ) -> ConnectParams {
        return ConnectParams(
            auth: auth ?? self.auth,
            caps: caps ?? self.caps,
            client: client ?? self.client,
            commands: commands ?? self.commands,
            computerUse: computerUse ?? self.computerUse,
            device: device ?? self.device,
            locale: locale ?? self.locale,
            maxProtocol: maxProtocol ?? self.maxProtocol,
            minProtocol: minProtocol ?? self.minProtocol,
            modelCatalog: modelCatalog ?? self.modelCatalog,
            pathEnv: pathEnv ?? self.pathEnv,
            permissions: permissions ?? self.permissions,
            role: role ?? self.role,
            scopes: scopes ?? self.scopes,
            userAgent: userAgent ?? self.userAgent,
            workerRuns: workerRuns ?? self.workerRuns
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// Credentials offered in ``connect.params.auth``.
// MARK: - AuthParams
struct AuthParams: Codable {
    let agentRuntimeIdentityToken, approvalRuntimeToken, bootstrapToken, deviceToken: String?
    let password, token: String?
}

// MARK: AuthParams convenience initializers and mutators

extension AuthParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(AuthParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        agentRuntimeIdentityToken: String?? = nil,
        approvalRuntimeToken: String?? = nil,
        bootstrapToken: String?? = nil,
        deviceToken: String?? = nil,
        password: String?? = nil,
        token: String?? = nil
    ) -> AuthParams {
        return AuthParams(
            agentRuntimeIdentityToken: agentRuntimeIdentityToken ?? self.agentRuntimeIdentityToken,
            approvalRuntimeToken: approvalRuntimeToken ?? self.approvalRuntimeToken,
            bootstrapToken: bootstrapToken ?? self.bootstrapToken,
            deviceToken: deviceToken ?? self.deviceToken,
            password: password ?? self.password,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// Who is connecting: ``connect.params.client``.
// MARK: - ClientInfo
struct ClientInfo: Codable {
    let buildID: String?
    let deviceFamily, displayName: String?
    let id: ID
    let instanceID: String?
    let mode: ClientMode
    let modelIdentifier: String?
    let platform: String
    let timeZone: String?
    let version: String

    enum CodingKeys: String, CodingKey {
        case buildID = "buildId"
        case deviceFamily, displayName, id
        case instanceID = "instanceId"
        case mode, modelIdentifier, platform, timeZone, version
    }
}

// MARK: ClientInfo convenience initializers and mutators

extension ClientInfo {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ClientInfo.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        buildID: String?? = nil,
        deviceFamily: String?? = nil,
        displayName: String?? = nil,
        id: ID? = nil,
        instanceID: String?? = nil,
        mode: ClientMode? = nil,
        modelIdentifier: String?? = nil,
        platform: String? = nil,
        timeZone: String?? = nil,
        version: String? = nil
    ) -> ClientInfo {
        return ClientInfo(
            buildID: buildID ?? self.buildID,
            deviceFamily: deviceFamily ?? self.deviceFamily,
            displayName: displayName ?? self.displayName,
            id: id ?? self.id,
            instanceID: instanceID ?? self.instanceID,
            mode: mode ?? self.mode,
            modelIdentifier: modelIdentifier ?? self.modelIdentifier,
            platform: platform ?? self.platform,
            timeZone: timeZone ?? self.timeZone,
            version: version ?? self.version
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum ID: String, Codable {
    case cli = "cli"
    case fingerprint = "fingerprint"
    case gatewayClient = "gateway-client"
    case nodeHost = "node-host"
    case openclawAndroid = "openclaw-android"
    case openclawBrowserCopilot = "openclaw-browser-copilot"
    case openclawControlUI = "openclaw-control-ui"
    case openclawIos = "openclaw-ios"
    case openclawLinux = "openclaw-linux"
    case openclawMacos = "openclaw-macos"
    case openclawProbe = "openclaw-probe"
    case openclawTui = "openclaw-tui"
    case openclawWatchos = "openclaw-watchos"
    case openclawWorker = "openclaw-worker"
    case test = "test"
    case webchat = "webchat"
    case webchatUI = "webchat-ui"
}

enum ClientMode: String, Codable {
    case backend = "backend"
    case cli = "cli"
    case node = "node"
    case probe = "probe"
    case test = "test"
    case ui = "ui"
    case webchat = "webchat"
    case worker = "worker"
}

/// The signed device identity block: all five fields are required when present.
// MARK: - DeviceProof
struct DeviceProof: Codable {
    let id, nonce, publicKey, signature: String
    let signedAt: Int
}

// MARK: DeviceProof convenience initializers and mutators

extension DeviceProof {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(DeviceProof.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        id: String? = nil,
        nonce: String? = nil,
        publicKey: String? = nil,
        signature: String? = nil,
        signedAt: Int? = nil
    ) -> DeviceProof {
        return DeviceProof(
            id: id ?? self.id,
            nonce: nonce ?? self.nonce,
            publicKey: publicKey ?? self.publicKey,
            signature: signature ?? self.signature,
            signedAt: signedAt ?? self.signedAt
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// ``cron.add``; the reference's ``wakeMode``, ``delivery`` and the like are accepted and
/// ignored (a run's reply stays in its session).
// MARK: - AddParams
struct AddParams: Codable {
    let agentID: String?
    let enabled: Bool?
    let idempotencyKey: String?
    let message: String?
    let name: String?
    let payload: Payload?
    let schedule: JSONAny
    let sessionKey: String?
    let sessionTarget: String?
    let tz: String?

    enum CodingKeys: String, CodingKey {
        case agentID = "agentId"
        case enabled, idempotencyKey, message, name, payload, schedule, sessionKey, sessionTarget, tz
    }
}

// MARK: AddParams convenience initializers and mutators

extension AddParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(AddParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        agentID: String?? = nil,
        enabled: Bool?? = nil,
        idempotencyKey: String?? = nil,
        message: String?? = nil,
        name: String?? = nil,
        payload: Payload?? = nil,
        schedule: JSONAny? = nil,
        sessionKey: String?? = nil,
        sessionTarget: String?? = nil,
        tz: String?? = nil
    ) -> AddParams {
        return AddParams(
            agentID: agentID ?? self.agentID,
            enabled: enabled ?? self.enabled,
            idempotencyKey: idempotencyKey ?? self.idempotencyKey,
            message: message ?? self.message,
            name: name ?? self.name,
            payload: payload ?? self.payload,
            schedule: schedule ?? self.schedule,
            sessionKey: sessionKey ?? self.sessionKey,
            sessionTarget: sessionTarget ?? self.sessionTarget,
            tz: tz ?? self.tz
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// The reference's job payload; only agent turns exist here (other fields are ignored).
// MARK: - Payload
struct Payload: Codable {
    let kind: Kind
    let message: String
}

// MARK: Payload convenience initializers and mutators

extension Payload {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Payload.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        kind: Kind? = nil,
        message: String? = nil
    ) -> Payload {
        return Payload(
            kind: kind ?? self.kind,
            message: message ?? self.message
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum Kind: String, Codable {
    case agentTurn = "agentTurn"
}

// MARK: - CronEventPayload
struct CronEventPayload: Codable {
    let action, jobID: String
    let ts: Int

    enum CodingKeys: String, CodingKey {
        case action
        case jobID = "jobId"
        case ts
    }
}

// MARK: CronEventPayload convenience initializers and mutators

extension CronEventPayload {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(CronEventPayload.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        action: String? = nil,
        jobID: String? = nil,
        ts: Int? = nil
    ) -> CronEventPayload {
        return CronEventPayload(
            action: action ?? self.action,
            jobID: jobID ?? self.jobID,
            ts: ts ?? self.ts
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - JobParams
struct JobParams: Codable {
    let id: String
    let idempotencyKey: String?
}

// MARK: JobParams convenience initializers and mutators

extension JobParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(JobParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        id: String? = nil,
        idempotencyKey: String?? = nil
    ) -> JobParams {
        return JobParams(
            id: id ?? self.id,
            idempotencyKey: idempotencyKey ?? self.idempotencyKey
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// The reference's ``cron.list`` params (triggers and other agents do not exist here).
// MARK: - ListParams
struct ListParams: Codable {
    let agentID: String?
    let compact: Bool?
    let enabled: Enabled?
    let includeDeliveryPreviews, includeDisabled: Bool?
    let lastRunStatus: Lastrunstatus?
    let limit: Int?
    let offset: Int?
    let query: String?
    let scheduleKind: Schedulekind?
    let sessionKey: String?
    let sortBy: Sortby?
    let sortDir: Sortdir?
    let trigger: Trigger?

    enum CodingKeys: String, CodingKey {
        case agentID = "agentId"
        case compact, enabled, includeDeliveryPreviews, includeDisabled, lastRunStatus, limit, offset, query, scheduleKind, sessionKey, sortBy, sortDir, trigger
    }
}

// MARK: ListParams convenience initializers and mutators

extension ListParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ListParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        agentID: String?? = nil,
        compact: Bool?? = nil,
        enabled: Enabled?? = nil,
        includeDeliveryPreviews: Bool?? = nil,
        includeDisabled: Bool?? = nil,
        lastRunStatus: Lastrunstatus?? = nil,
        limit: Int?? = nil,
        offset: Int?? = nil,
        query: String?? = nil,
        scheduleKind: Schedulekind?? = nil,
        sessionKey: String?? = nil,
        sortBy: Sortby?? = nil,
        sortDir: Sortdir?? = nil,
        trigger: Trigger?? = nil
    ) -> ListParams {
        return ListParams(
            agentID: agentID ?? self.agentID,
            compact: compact ?? self.compact,
            enabled: enabled ?? self.enabled,
            includeDeliveryPreviews: includeDeliveryPreviews ?? self.includeDeliveryPreviews,
            includeDisabled: includeDisabled ?? self.includeDisabled,
            lastRunStatus: lastRunStatus ?? self.lastRunStatus,
            limit: limit ?? self.limit,
            offset: offset ?? self.offset,
            query: query ?? self.query,
            scheduleKind: scheduleKind ?? self.scheduleKind,
            sessionKey: sessionKey ?? self.sessionKey,
            sortBy: sortBy ?? self.sortBy,
            sortDir: sortDir ?? self.sortDir,
            trigger: trigger ?? self.trigger
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum Enabled: String, Codable {
    case all = "all"
    case disabled = "disabled"
    case enabled = "enabled"
}

enum Lastrunstatus: String, Codable {
    case all = "all"
    case error = "error"
    case ok = "ok"
    case skipped = "skipped"
    case unknown = "unknown"
}

enum Schedulekind: String, Codable {
    case all = "all"
    case at = "at"
    case cron = "cron"
    case every = "every"
    case onExit = "on-exit"
    case stream = "stream"
}

enum Sortby: String, Codable {
    case name = "name"
    case nextRunAtMS = "nextRunAtMs"
    case updatedAtMS = "updatedAtMs"
}

enum Sortdir: String, Codable {
    case asc = "asc"
    case desc = "desc"
}

enum Trigger: String, Codable {
    case all = "all"
    case conditional = "conditional"
    case unconditional = "unconditional"
}

// MARK: - RunParams
struct RunParams: Codable {
    let expectedProcessInstanceID: String?
    let id: String
    let idempotencyKey: String?
    let mode: CronRunParamsMode?

    enum CodingKeys: String, CodingKey {
        case expectedProcessInstanceID = "expectedProcessInstanceId"
        case id, idempotencyKey, mode
    }
}

// MARK: RunParams convenience initializers and mutators

extension RunParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RunParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        expectedProcessInstanceID: String?? = nil,
        id: String? = nil,
        idempotencyKey: String?? = nil,
        mode: CronRunParamsMode?? = nil
    ) -> RunParams {
        return RunParams(
            expectedProcessInstanceID: expectedProcessInstanceID ?? self.expectedProcessInstanceID,
            id: id ?? self.id,
            idempotencyKey: idempotencyKey ?? self.idempotencyKey,
            mode: mode ?? self.mode
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum CronRunParamsMode: String, Codable {
    case due = "due"
    case force = "force"
    case ifEnabled = "if-enabled"
}

// MARK: - RunsParams
struct RunsParams: Codable {
    let agentID: String?
    let deliveryStatus: Deliverystatus?
    let deliveryStatuses: [Deliverystatus]?
    let id: String?
    let limit: Int?
    let offset: Int?
    let query: String?
    let runID: String?
    let scope: Scope?
    let sortDir: Sortdir?
    let status: StatusEnum?
    let statuses: [StatusElement]?

    enum CodingKeys: String, CodingKey {
        case agentID = "agentId"
        case deliveryStatus, deliveryStatuses, id, limit, offset, query
        case runID = "runId"
        case scope, sortDir, status, statuses
    }
}

// MARK: RunsParams convenience initializers and mutators

extension RunsParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RunsParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        agentID: String?? = nil,
        deliveryStatus: Deliverystatus?? = nil,
        deliveryStatuses: [Deliverystatus]?? = nil,
        id: String?? = nil,
        limit: Int?? = nil,
        offset: Int?? = nil,
        query: String?? = nil,
        runID: String?? = nil,
        scope: Scope?? = nil,
        sortDir: Sortdir?? = nil,
        status: StatusEnum?? = nil,
        statuses: [StatusElement]?? = nil
    ) -> RunsParams {
        return RunsParams(
            agentID: agentID ?? self.agentID,
            deliveryStatus: deliveryStatus ?? self.deliveryStatus,
            deliveryStatuses: deliveryStatuses ?? self.deliveryStatuses,
            id: id ?? self.id,
            limit: limit ?? self.limit,
            offset: offset ?? self.offset,
            query: query ?? self.query,
            runID: runID ?? self.runID,
            scope: scope ?? self.scope,
            sortDir: sortDir ?? self.sortDir,
            status: status ?? self.status,
            statuses: statuses ?? self.statuses
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum Deliverystatus: String, Codable {
    case delivered = "delivered"
    case notDelivered = "not-delivered"
    case notRequested = "not-requested"
    case unknown = "unknown"
}

enum Scope: String, Codable {
    case all = "all"
    case job = "job"
}

enum StatusEnum: String, Codable {
    case all = "all"
    case error = "error"
    case ok = "ok"
    case skipped = "skipped"
}

enum StatusElement: String, Codable {
    case error = "error"
    case ok = "ok"
    case skipped = "skipped"
}

// MARK: - UpdateParams
struct UpdateParams: Codable {
    let expectedConfigRevision: String?
    let id: String
    let idempotencyKey: String?
    let patch: Patch
}

// MARK: UpdateParams convenience initializers and mutators

extension UpdateParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(UpdateParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        expectedConfigRevision: String?? = nil,
        id: String? = nil,
        idempotencyKey: String?? = nil,
        patch: Patch? = nil
    ) -> UpdateParams {
        return UpdateParams(
            expectedConfigRevision: expectedConfigRevision ?? self.expectedConfigRevision,
            id: id ?? self.id,
            idempotencyKey: idempotencyKey ?? self.idempotencyKey,
            patch: patch ?? self.patch
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - Patch
struct Patch: Codable {
    let agentID: String?
    let enabled: Bool?
    let message: String?
    let name: String?
    let payload: PayloadPatch?
    let schedule: JSONAny?
    let sessionKey: String?
    let sessionTarget: String?
    let tz: String?

    enum CodingKeys: String, CodingKey {
        case agentID = "agentId"
        case enabled, message, name, payload, schedule, sessionKey, sessionTarget, tz
    }
}

// MARK: Patch convenience initializers and mutators

extension Patch {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Patch.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        agentID: String?? = nil,
        enabled: Bool?? = nil,
        message: String?? = nil,
        name: String?? = nil,
        payload: PayloadPatch?? = nil,
        schedule: JSONAny?? = nil,
        sessionKey: String?? = nil,
        sessionTarget: String?? = nil,
        tz: String?? = nil
    ) -> Patch {
        return Patch(
            agentID: agentID ?? self.agentID,
            enabled: enabled ?? self.enabled,
            message: message ?? self.message,
            name: name ?? self.name,
            payload: payload ?? self.payload,
            schedule: schedule ?? self.schedule,
            sessionKey: sessionKey ?? self.sessionKey,
            sessionTarget: sessionTarget ?? self.sessionTarget,
            tz: tz ?? self.tz
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - PayloadPatch
struct PayloadPatch: Codable {
    let kind: Kind?
    let message: String?
}

// MARK: PayloadPatch convenience initializers and mutators

extension PayloadPatch {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PayloadPatch.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        kind: Kind?? = nil,
        message: String?? = nil
    ) -> PayloadPatch {
        return PayloadPatch(
            kind: kind ?? self.kind,
            message: message ?? self.message
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - RequestIDParams
struct RequestIDParams: Codable {
    let requestID: String

    enum CodingKeys: String, CodingKey {
        case requestID = "requestId"
    }
}

// MARK: RequestIDParams convenience initializers and mutators

extension RequestIDParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RequestIDParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        requestID: String? = nil
    ) -> RequestIDParams {
        return RequestIDParams(
            requestID: requestID ?? self.requestID
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - DeviceIDParams
struct DeviceIDParams: Codable {
    let deviceID: String

    enum CodingKeys: String, CodingKey {
        case deviceID = "deviceId"
    }
}

// MARK: DeviceIDParams convenience initializers and mutators

extension DeviceIDParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(DeviceIDParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        deviceID: String? = nil
    ) -> DeviceIDParams {
        return DeviceIDParams(
            deviceID: deviceID ?? self.deviceID
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - PairResolvedPayload
struct PairResolvedPayload: Codable {
    let decision, deviceID, requestID: String
    let ts: Int

    enum CodingKeys: String, CodingKey {
        case decision
        case deviceID = "deviceId"
        case requestID = "requestId"
        case ts
    }
}

// MARK: PairResolvedPayload convenience initializers and mutators

extension PairResolvedPayload {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PairResolvedPayload.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        decision: String? = nil,
        deviceID: String? = nil,
        requestID: String? = nil,
        ts: Int? = nil
    ) -> PairResolvedPayload {
        return PairResolvedPayload(
            decision: decision ?? self.decision,
            deviceID: deviceID ?? self.deviceID,
            requestID: requestID ?? self.requestID,
            ts: ts ?? self.ts
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - RevokeParams
struct RevokeParams: Codable {
    let deviceID, role: String

    enum CodingKeys: String, CodingKey {
        case deviceID = "deviceId"
        case role
    }
}

// MARK: RevokeParams convenience initializers and mutators

extension RevokeParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RevokeParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        deviceID: String? = nil,
        role: String? = nil
    ) -> RevokeParams {
        return RevokeParams(
            deviceID: deviceID ?? self.deviceID,
            role: role ?? self.role
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - RotateParams
struct RotateParams: Codable {
    let deviceID, role: String
    let scopes: [String]?

    enum CodingKeys: String, CodingKey {
        case deviceID = "deviceId"
        case role, scopes
    }
}

// MARK: RotateParams convenience initializers and mutators

extension RotateParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RotateParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        deviceID: String? = nil,
        role: String? = nil,
        scopes: [String]?? = nil
    ) -> RotateParams {
        return RotateParams(
            deviceID: deviceID ?? self.deviceID,
            role: role ?? self.role,
            scopes: scopes ?? self.scopes
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// ``res.error`` and ``hello`` failures: a stable ``code``, a human ``message`` and, where a
/// client branches on it, ``details.code`` (``AUTH_TOKEN_MISMATCH``, ``MISSING_SCOPE``, …).
// MARK: - ErrorShape
struct ErrorShape: Codable {
    let code: String
    let details: JSONAny?
    let message: String
    let retryable: Bool?
    let retryAfterMS: Int?

    enum CodingKeys: String, CodingKey {
        case code, details, message, retryable
        case retryAfterMS = "retryAfterMs"
    }
}

// MARK: ErrorShape convenience initializers and mutators

extension ErrorShape {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ErrorShape.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        code: String? = nil,
        details: JSONAny?? = nil,
        message: String? = nil,
        retryable: Bool?? = nil,
        retryAfterMS: Int?? = nil
    ) -> ErrorShape {
        return ErrorShape(
            code: code ?? self.code,
            details: details ?? self.details,
            message: message ?? self.message,
            retryable: retryable ?? self.retryable,
            retryAfterMS: retryAfterMS ?? self.retryAfterMS
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// ``{"type":"event","event","payload"?,"seq"?,"stateVersion"?}`` pushed by the gateway.
// MARK: - EventFrame
struct EventFrame: Codable {
    let event: String
    let payload: JSONAny?
    let seq: Int?
    let stateVersion: [String: Int]?
    let type: EventFrameType
}

// MARK: EventFrame convenience initializers and mutators

extension EventFrame {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(EventFrame.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        event: String? = nil,
        payload: JSONAny?? = nil,
        seq: Int?? = nil,
        stateVersion: [String: Int]?? = nil,
        type: EventFrameType? = nil
    ) -> EventFrame {
        return EventFrame(
            event: event ?? self.event,
            payload: payload ?? self.payload,
            seq: seq ?? self.seq,
            stateVersion: stateVersion ?? self.stateVersion,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum EventFrameType: String, Codable {
    case event = "event"
}

/// Any frame on the socket, discriminated by `type`.
///
/// ``{"type":"req","id","method","params"?,"traceparent"?}`` sent by clients.
///
/// ``{"type":"res","id","ok","payload"?|"error"?}``: exactly one per request with an id.
///
/// ``{"type":"event","event","payload"?,"seq"?,"stateVersion"?}`` pushed by the gateway.
// MARK: - Frame
struct Frame: Codable {
    let id, method: String?
    let params: JSONAny?
    let traceparent: String?
    let type: FrameType
    let error: ErrorShape?
    let ok: Bool?
    let payload: JSONAny?
    let event: String?
    let seq: Int?
    let stateVersion: [String: Int]?
}

// MARK: Frame convenience initializers and mutators

extension Frame {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Frame.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        id: String?? = nil,
        method: String?? = nil,
        params: JSONAny?? = nil,
        traceparent: String?? = nil,
        type: FrameType? = nil,
        error: ErrorShape?? = nil,
        ok: Bool?? = nil,
        payload: JSONAny?? = nil,
        event: String?? = nil,
        seq: Int?? = nil,
        stateVersion: [String: Int]?? = nil
    ) -> Frame {
        return Frame(
            id: id ?? self.id,
            method: method ?? self.method,
            params: params ?? self.params,
            traceparent: traceparent ?? self.traceparent,
            type: type ?? self.type,
            error: error ?? self.error,
            ok: ok ?? self.ok,
            payload: payload ?? self.payload,
            event: event ?? self.event,
            seq: seq ?? self.seq,
            stateVersion: stateVersion ?? self.stateVersion
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum FrameType: String, Codable {
    case event = "event"
    case req = "req"
    case res = "res"
}

// MARK: - HealthParams
struct HealthParams: Codable {
    let probe: Bool?
}

// MARK: HealthParams convenience initializers and mutators

extension HealthParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(HealthParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        probe: Bool?? = nil
    ) -> HealthParams {
        return HealthParams(
            probe: probe ?? self.probe
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - HeartbeatRecord
struct HeartbeatRecord: Codable {
    let durationMS: Int
    let runID: String?
    let status: String
    let text: String?
    let ts: Int

    enum CodingKeys: String, CodingKey {
        case durationMS = "durationMs"
        case runID = "runId"
        case status, text, ts
    }
}

// MARK: HeartbeatRecord convenience initializers and mutators

extension HeartbeatRecord {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(HeartbeatRecord.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        durationMS: Int? = nil,
        runID: String?? = nil,
        status: String? = nil,
        text: String?? = nil,
        ts: Int? = nil
    ) -> HeartbeatRecord {
        return HeartbeatRecord(
            durationMS: durationMS ?? self.durationMS,
            runID: runID ?? self.runID,
            status: status ?? self.status,
            text: text ?? self.text,
            ts: ts ?? self.ts
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - LogsTailParams
struct LogsTailParams: Codable {
    let cursor: Int?
    let limit: Int?
    let maxBytes: Int?
}

// MARK: LogsTailParams convenience initializers and mutators

extension LogsTailParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(LogsTailParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        cursor: Int?? = nil,
        limit: Int?? = nil,
        maxBytes: Int?? = nil
    ) -> LogsTailParams {
        return LogsTailParams(
            cursor: cursor ?? self.cursor,
            limit: limit ?? self.limit,
            maxBytes: maxBytes ?? self.maxBytes
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - ClipParams
struct ClipParams: Codable {
    let deviceID: String?
    let durationMS: Int?
    /// accepted; Linux has no facing
    let facing: String?
    let format: FormatEnum?
    let includeAudio: Bool?

    enum CodingKeys: String, CodingKey {
        case deviceID = "deviceId"
        case durationMS = "durationMs"
        case facing, format, includeAudio
    }
}

// MARK: ClipParams convenience initializers and mutators

extension ClipParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ClipParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        deviceID: String?? = nil,
        durationMS: Int?? = nil,
        facing: String?? = nil,
        format: FormatEnum?? = nil,
        includeAudio: Bool?? = nil
    ) -> ClipParams {
        return ClipParams(
            deviceID: deviceID ?? self.deviceID,
            durationMS: durationMS ?? self.durationMS,
            facing: facing ?? self.facing,
            format: format ?? self.format,
            includeAudio: includeAudio ?? self.includeAudio
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum FormatEnum: String, Codable {
    case mp4 = "mp4"
}

// MARK: - ClipResult
struct ClipResult: Codable {
    let base64: String
    let durationMS: Int
    let format: String
    let hasAudio: Bool

    enum CodingKeys: String, CodingKey {
        case base64
        case durationMS = "durationMs"
        case format, hasAudio
    }
}

// MARK: ClipResult convenience initializers and mutators

extension ClipResult {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ClipResult.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        base64: String? = nil,
        durationMS: Int? = nil,
        format: String? = nil,
        hasAudio: Bool? = nil
    ) -> ClipResult {
        return ClipResult(
            base64: base64 ?? self.base64,
            durationMS: durationMS ?? self.durationMS,
            format: format ?? self.format,
            hasAudio: hasAudio ?? self.hasAudio
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - ListResult
struct ListResult: Codable {
    let devices: [CameraDevice]
}

// MARK: ListResult convenience initializers and mutators

extension ListResult {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ListResult.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        devices: [CameraDevice]? = nil
    ) -> ListResult {
        return ListResult(
            devices: devices ?? self.devices
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - CameraDevice
struct CameraDevice: Codable {
    let deviceType, id, name: String
    let position: String?
}

// MARK: CameraDevice convenience initializers and mutators

extension CameraDevice {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(CameraDevice.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        deviceType: String? = nil,
        id: String? = nil,
        name: String? = nil,
        position: String?? = nil
    ) -> CameraDevice {
        return CameraDevice(
            deviceType: deviceType ?? self.deviceType,
            id: id ?? self.id,
            name: name ?? self.name,
            position: position ?? self.position
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - SnapParams
struct SnapParams: Codable {
    let delayMS: Int?
    let deviceID: String?
    /// accepted; Linux has no facing
    let facing: String?
    let format: PurpleFormat?
    let maxWidth: Int?
    let quality: Double?

    enum CodingKeys: String, CodingKey {
        case delayMS = "delayMs"
        case deviceID = "deviceId"
        case facing, format, maxWidth, quality
    }
}

// MARK: SnapParams convenience initializers and mutators

extension SnapParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(SnapParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        delayMS: Int?? = nil,
        deviceID: String?? = nil,
        facing: String?? = nil,
        format: PurpleFormat?? = nil,
        maxWidth: Int?? = nil,
        quality: Double?? = nil
    ) -> SnapParams {
        return SnapParams(
            delayMS: delayMS ?? self.delayMS,
            deviceID: deviceID ?? self.deviceID,
            facing: facing ?? self.facing,
            format: format ?? self.format,
            maxWidth: maxWidth ?? self.maxWidth,
            quality: quality ?? self.quality
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum PurpleFormat: String, Codable {
    case jpeg = "jpeg"
    case jpg = "jpg"
}

// MARK: - SnapResult
struct SnapResult: Codable {
    let base64, format: String
    let height, width: Int
}

// MARK: SnapResult convenience initializers and mutators

extension SnapResult {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(SnapResult.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        base64: String? = nil,
        format: String? = nil,
        height: Int? = nil,
        width: Int? = nil
    ) -> SnapResult {
        return SnapResult(
            base64: base64 ?? self.base64,
            format: format ?? self.format,
            height: height ?? self.height,
            width: width ?? self.width
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - NavigateParams
struct NavigateParams: Codable {
    let url: String
}

// MARK: NavigateParams convenience initializers and mutators

extension NavigateParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(NavigateParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        url: String? = nil
    ) -> NavigateParams {
        return NavigateParams(
            url: url ?? self.url
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - PresentParams
struct PresentParams: Codable {
    let placement: Placement?
    let url: String?
}

// MARK: PresentParams convenience initializers and mutators

extension PresentParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PresentParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        placement: Placement?? = nil,
        url: String?? = nil
    ) -> PresentParams {
        return PresentParams(
            placement: placement ?? self.placement,
            url: url ?? self.url
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - Placement
struct Placement: Codable {
    let height, width, x, y: Double?
}

// MARK: Placement convenience initializers and mutators

extension Placement {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Placement.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        height: Double?? = nil,
        width: Double?? = nil,
        x: Double?? = nil,
        y: Double?? = nil
    ) -> Placement {
        return Placement(
            height: height ?? self.height,
            width: width ?? self.width,
            x: x ?? self.x,
            y: y ?? self.y
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - NodeIDParams
struct NodeIDParams: Codable {
    let nodeID: String

    enum CodingKeys: String, CodingKey {
        case nodeID = "nodeId"
    }
}

// MARK: NodeIDParams convenience initializers and mutators

extension NodeIDParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(NodeIDParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        nodeID: String? = nil
    ) -> NodeIDParams {
        return NodeIDParams(
            nodeID: nodeID ?? self.nodeID
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - NodeEventParams
struct NodeEventParams: Codable {
    let event: String
    let payload: JSONAny?
    let payloadJSON: String?
}

// MARK: NodeEventParams convenience initializers and mutators

extension NodeEventParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(NodeEventParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        event: String? = nil,
        payload: JSONAny?? = nil,
        payloadJSON: String?? = nil
    ) -> NodeEventParams {
        return NodeEventParams(
            event: event ?? self.event,
            payload: payload ?? self.payload,
            payloadJSON: payloadJSON ?? self.payloadJSON
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - InvokeParams
struct InvokeParams: Codable {
    let command, idempotencyKey, nodeID: String
    let params: JSONAny?
    let timeoutMS: Int?

    enum CodingKeys: String, CodingKey {
        case command, idempotencyKey
        case nodeID = "nodeId"
        case params
        case timeoutMS = "timeoutMs"
    }
}

// MARK: InvokeParams convenience initializers and mutators

extension InvokeParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(InvokeParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        command: String? = nil,
        idempotencyKey: String? = nil,
        nodeID: String? = nil,
        params: JSONAny?? = nil,
        timeoutMS: Int?? = nil
    ) -> InvokeParams {
        return InvokeParams(
            command: command ?? self.command,
            idempotencyKey: idempotencyKey ?? self.idempotencyKey,
            nodeID: nodeID ?? self.nodeID,
            params: params ?? self.params,
            timeoutMS: timeoutMS ?? self.timeoutMS
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - InvokeResultParams
struct InvokeResultParams: Codable {
    let error: [String: JSONAny]?
    let id: String
    let nodeID: String?
    let ok: Bool
    let payload: JSONAny?
    let payloadJSON: String?

    enum CodingKeys: String, CodingKey {
        case error, id
        case nodeID = "nodeId"
        case ok, payload, payloadJSON
    }
}

// MARK: InvokeResultParams convenience initializers and mutators

extension InvokeResultParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(InvokeResultParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        error: [String: JSONAny]?? = nil,
        id: String? = nil,
        nodeID: String?? = nil,
        ok: Bool? = nil,
        payload: JSONAny?? = nil,
        payloadJSON: String?? = nil
    ) -> InvokeResultParams {
        return InvokeResultParams(
            error: error ?? self.error,
            id: id ?? self.id,
            nodeID: nodeID ?? self.nodeID,
            ok: ok ?? self.ok,
            payload: payload ?? self.payload,
            payloadJSON: payloadJSON ?? self.payloadJSON
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - LocationGetParams
struct LocationGetParams: Codable {
    let desiredAccuracy: Desiredaccuracy?
    let maxAgeMS: Int?
    let timeoutMS: Int?

    enum CodingKeys: String, CodingKey {
        case desiredAccuracy
        case maxAgeMS = "maxAgeMs"
        case timeoutMS = "timeoutMs"
    }
}

// MARK: LocationGetParams convenience initializers and mutators

extension LocationGetParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(LocationGetParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        desiredAccuracy: Desiredaccuracy?? = nil,
        maxAgeMS: Int?? = nil,
        timeoutMS: Int?? = nil
    ) -> LocationGetParams {
        return LocationGetParams(
            desiredAccuracy: desiredAccuracy ?? self.desiredAccuracy,
            maxAgeMS: maxAgeMS ?? self.maxAgeMS,
            timeoutMS: timeoutMS ?? self.timeoutMS
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum Desiredaccuracy: String, Codable {
    case balanced = "balanced"
    case coarse = "coarse"
    case precise = "precise"
}

// MARK: - LocationResult
struct LocationResult: Codable {
    let accuracyMeters: Double
    let altitudeMeters, headingDeg: Double?
    let isPrecise: Bool
    let lat, lon: Double
    let source: Source
    let speedMps: Double?
    let timestamp: String
}

// MARK: LocationResult convenience initializers and mutators

extension LocationResult {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(LocationResult.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        accuracyMeters: Double? = nil,
        altitudeMeters: Double?? = nil,
        headingDeg: Double?? = nil,
        isPrecise: Bool? = nil,
        lat: Double? = nil,
        lon: Double? = nil,
        source: Source? = nil,
        speedMps: Double?? = nil,
        timestamp: String? = nil
    ) -> LocationResult {
        return LocationResult(
            accuracyMeters: accuracyMeters ?? self.accuracyMeters,
            altitudeMeters: altitudeMeters ?? self.altitudeMeters,
            headingDeg: headingDeg ?? self.headingDeg,
            isPrecise: isPrecise ?? self.isPrecise,
            lat: lat ?? self.lat,
            lon: lon ?? self.lon,
            source: source ?? self.source,
            speedMps: speedMps ?? self.speedMps,
            timestamp: timestamp ?? self.timestamp
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum Source: String, Codable {
    case cell = "cell"
    case gps = "gps"
    case unknown = "unknown"
    case wifi = "wifi"
}

// MARK: - ToolsParams
struct ToolsParams: Codable {
    let tools: [JSONAny]?
}

// MARK: ToolsParams convenience initializers and mutators

extension ToolsParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ToolsParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        tools: [JSONAny]?? = nil
    ) -> ToolsParams {
        return ToolsParams(
            tools: tools ?? self.tools
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - RenameParams
struct RenameParams: Codable {
    let displayName: String
    let nodeID: String

    enum CodingKeys: String, CodingKey {
        case displayName
        case nodeID = "nodeId"
    }
}

// MARK: RenameParams convenience initializers and mutators

extension RenameParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RenameParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        displayName: String? = nil,
        nodeID: String? = nil
    ) -> RenameParams {
        return RenameParams(
            displayName: displayName ?? self.displayName,
            nodeID: nodeID ?? self.nodeID
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - InventoryParams
struct InventoryParams: Codable {
    let protocolFeatures: [String]?
    let workerHost: [String: JSONAny]?
}

// MARK: InventoryParams convenience initializers and mutators

extension InventoryParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(InventoryParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        protocolFeatures: [String]?? = nil,
        workerHost: [String: JSONAny]?? = nil
    ) -> InventoryParams {
        return InventoryParams(
            protocolFeatures: protocolFeatures ?? self.protocolFeatures,
            workerHost: workerHost ?? self.workerHost
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - RecordParams
struct RecordParams: Codable {
    let durationMS: Int?
    let format: FormatEnum?
    let fps: Double?
    let includeAudio: Bool?
    let screenIndex: Int?

    enum CodingKeys: String, CodingKey {
        case durationMS = "durationMs"
        case format, fps, includeAudio, screenIndex
    }
}

// MARK: RecordParams convenience initializers and mutators

extension RecordParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RecordParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        durationMS: Int?? = nil,
        format: FormatEnum?? = nil,
        fps: Double?? = nil,
        includeAudio: Bool?? = nil,
        screenIndex: Int?? = nil
    ) -> RecordParams {
        return RecordParams(
            durationMS: durationMS ?? self.durationMS,
            format: format ?? self.format,
            fps: fps ?? self.fps,
            includeAudio: includeAudio ?? self.includeAudio,
            screenIndex: screenIndex ?? self.screenIndex
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - RecordResult
struct RecordResult: Codable {
    let base64: String
    let durationMS: Int
    let format: String
    let fps: Double
    let hasAudio: Bool
    let screenIndex: Int

    enum CodingKeys: String, CodingKey {
        case base64
        case durationMS = "durationMs"
        case format, fps, hasAudio, screenIndex
    }
}

// MARK: RecordResult convenience initializers and mutators

extension RecordResult {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RecordResult.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        base64: String? = nil,
        durationMS: Int? = nil,
        format: String? = nil,
        fps: Double? = nil,
        hasAudio: Bool? = nil,
        screenIndex: Int? = nil
    ) -> RecordResult {
        return RecordResult(
            base64: base64 ?? self.base64,
            durationMS: durationMS ?? self.durationMS,
            format: format ?? self.format,
            fps: fps ?? self.fps,
            hasAudio: hasAudio ?? self.hasAudio,
            screenIndex: screenIndex ?? self.screenIndex
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - SnapshotParams
struct SnapshotParams: Codable {
    let format: FluffyFormat?
    let maxWidth: Int?
    let screenIndex: Int?
}

// MARK: SnapshotParams convenience initializers and mutators

extension SnapshotParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(SnapshotParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        format: FluffyFormat?? = nil,
        maxWidth: Int?? = nil,
        screenIndex: Int?? = nil
    ) -> SnapshotParams {
        return SnapshotParams(
            format: format ?? self.format,
            maxWidth: maxWidth ?? self.maxWidth,
            screenIndex: screenIndex ?? self.screenIndex
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum FluffyFormat: String, Codable {
    case jpeg = "jpeg"
    case jpg = "jpg"
    case png = "png"
}

// MARK: - SnapshotResult
struct SnapshotResult: Codable {
    let base64, format: String
    let height, screenIndex, width: Int
}

// MARK: SnapshotResult convenience initializers and mutators

extension SnapshotResult {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(SnapshotResult.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        base64: String? = nil,
        format: String? = nil,
        height: Int? = nil,
        screenIndex: Int? = nil,
        width: Int? = nil
    ) -> SnapshotResult {
        return SnapshotResult(
            base64: base64 ?? self.base64,
            format: format ?? self.format,
            height: height ?? self.height,
            screenIndex: screenIndex ?? self.screenIndex,
            width: width ?? self.width
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - SkillsParams
struct SkillsParams: Codable {
    let skills: [JSONAny]?
}

// MARK: SkillsParams convenience initializers and mutators

extension SkillsParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(SkillsParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        skills: [JSONAny]?? = nil
    ) -> SkillsParams {
        return SkillsParams(
            skills: skills ?? self.skills
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - WhichParams
struct WhichParams: Codable {
    let bins: [String]
}

// MARK: WhichParams convenience initializers and mutators

extension WhichParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(WhichParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        bins: [String]? = nil
    ) -> WhichParams {
        return WhichParams(
            bins: bins ?? self.bins
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - PairingCodeParams
struct PairingCodeParams: Codable {
    let channel: String
    let code: String
}

// MARK: PairingCodeParams convenience initializers and mutators

extension PairingCodeParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PairingCodeParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        channel: String? = nil,
        code: String? = nil
    ) -> PairingCodeParams {
        return PairingCodeParams(
            channel: channel ?? self.channel,
            code: code ?? self.code
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - PairingListParams
struct PairingListParams: Codable {
    let channel: String?
}

// MARK: PairingListParams convenience initializers and mutators

extension PairingListParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PairingListParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        channel: String?? = nil
    ) -> PairingListParams {
        return PairingListParams(
            channel: channel ?? self.channel
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - PairingRevokeParams
struct PairingRevokeParams: Codable {
    let channel: String
    let senderID: String

    enum CodingKeys: String, CodingKey {
        case channel
        case senderID = "senderId"
    }
}

// MARK: PairingRevokeParams convenience initializers and mutators

extension PairingRevokeParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PairingRevokeParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        channel: String? = nil,
        senderID: String? = nil
    ) -> PairingRevokeParams {
        return PairingRevokeParams(
            channel: channel ?? self.channel,
            senderID: senderID ?? self.senderID
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - PresencePayload
struct PresencePayload: Codable {
    let presence: [[String: JSONAny]]
}

// MARK: PresencePayload convenience initializers and mutators

extension PresencePayload {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PresencePayload.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        presence: [[String: JSONAny]]? = nil
    ) -> PresencePayload {
        return PresencePayload(
            presence: presence ?? self.presence
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

/// ``{"type":"req","id","method","params"?,"traceparent"?}`` sent by clients.
// MARK: - RequestFrame
struct RequestFrame: Codable {
    let id, method: String
    let params: JSONAny?
    let traceparent: String?
    let type: RequestFrameType
}

// MARK: RequestFrame convenience initializers and mutators

extension RequestFrame {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(RequestFrame.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        id: String? = nil,
        method: String? = nil,
        params: JSONAny?? = nil,
        traceparent: String?? = nil,
        type: RequestFrameType? = nil
    ) -> RequestFrame {
        return RequestFrame(
            id: id ?? self.id,
            method: method ?? self.method,
            params: params ?? self.params,
            traceparent: traceparent ?? self.traceparent,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum RequestFrameType: String, Codable {
    case req = "req"
}

/// ``{"type":"res","id","ok","payload"?|"error"?}``: exactly one per request with an id.
// MARK: - ResponseFrame
struct ResponseFrame: Codable {
    let error: ErrorShape?
    let id: String
    let ok: Bool
    let payload: JSONAny?
    let type: ResponseFrameType
}

// MARK: ResponseFrame convenience initializers and mutators

extension ResponseFrame {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ResponseFrame.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        error: ErrorShape?? = nil,
        id: String? = nil,
        ok: Bool? = nil,
        payload: JSONAny?? = nil,
        type: ResponseFrameType? = nil
    ) -> ResponseFrame {
        return ResponseFrame(
            error: error ?? self.error,
            id: id ?? self.id,
            ok: ok ?? self.ok,
            payload: payload ?? self.payload,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

enum ResponseFrameType: String, Codable {
    case res = "res"
}

// MARK: - SendParams
struct SendParams: Codable {
    let accountID, channel: String?
    let idempotencyKey: String
    let mediaURL: String?
    let message: String?
    let replyTo, threadID: String?
    let to: String

    enum CodingKeys: String, CodingKey {
        case accountID = "accountId"
        case channel, idempotencyKey
        case mediaURL = "mediaUrl"
        case message, replyTo
        case threadID = "threadId"
        case to
    }
}

// MARK: SendParams convenience initializers and mutators

extension SendParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(SendParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        accountID: String?? = nil,
        channel: String?? = nil,
        idempotencyKey: String? = nil,
        mediaURL: String?? = nil,
        message: String?? = nil,
        replyTo: String?? = nil,
        threadID: String?? = nil,
        to: String? = nil
    ) -> SendParams {
        return SendParams(
            accountID: accountID ?? self.accountID,
            channel: channel ?? self.channel,
            idempotencyKey: idempotencyKey ?? self.idempotencyKey,
            mediaURL: mediaURL ?? self.mediaURL,
            message: message ?? self.message,
            replyTo: replyTo ?? self.replyTo,
            threadID: threadID ?? self.threadID,
            to: to ?? self.to
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - SessionParams
struct SessionParams: Codable {
    let sessionKey: String
}

// MARK: SessionParams convenience initializers and mutators

extension SessionParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(SessionParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        sessionKey: String? = nil
    ) -> SessionParams {
        return SessionParams(
            sessionKey: sessionKey ?? self.sessionKey
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - SetHeartbeatsParams
struct SetHeartbeatsParams: Codable {
    let enabled: Bool
    let everyMS: Int?

    enum CodingKeys: String, CodingKey {
        case enabled
        case everyMS = "everyMs"
    }
}

// MARK: SetHeartbeatsParams convenience initializers and mutators

extension SetHeartbeatsParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(SetHeartbeatsParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        enabled: Bool? = nil,
        everyMS: Int?? = nil
    ) -> SetHeartbeatsParams {
        return SetHeartbeatsParams(
            enabled: enabled ?? self.enabled,
            everyMS: everyMS ?? self.everyMS
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - ShutdownPayload
struct ShutdownPayload: Codable {
    let reason: String
    let restartExpectedMS: Int?

    enum CodingKeys: String, CodingKey {
        case reason
        case restartExpectedMS = "restartExpectedMs"
    }
}

// MARK: ShutdownPayload convenience initializers and mutators

extension ShutdownPayload {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ShutdownPayload.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        reason: String? = nil,
        restartExpectedMS: Int?? = nil
    ) -> ShutdownPayload {
        return ShutdownPayload(
            reason: reason ?? self.reason,
            restartExpectedMS: restartExpectedMS ?? self.restartExpectedMS
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - SystemEventParams
struct SystemEventParams: Codable {
    let text: String
}

// MARK: SystemEventParams convenience initializers and mutators

extension SystemEventParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(SystemEventParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        text: String? = nil
    ) -> SystemEventParams {
        return SystemEventParams(
            text: text ?? self.text
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - TickPayload
struct TickPayload: Codable {
    let ts: Int
}

// MARK: TickPayload convenience initializers and mutators

extension TickPayload {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(TickPayload.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        ts: Int? = nil
    ) -> TickPayload {
        return TickPayload(
            ts: ts ?? self.ts
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - LoginStartParams
struct LoginStartParams: Codable {
    let accountID: String?
    let channel: String?
    let force: Bool?
    let timeoutMS: Int?
    let verbose: Bool?

    enum CodingKeys: String, CodingKey {
        case accountID = "accountId"
        case channel, force
        case timeoutMS = "timeoutMs"
        case verbose
    }
}

// MARK: LoginStartParams convenience initializers and mutators

extension LoginStartParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(LoginStartParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        accountID: String?? = nil,
        channel: String?? = nil,
        force: Bool?? = nil,
        timeoutMS: Int?? = nil,
        verbose: Bool?? = nil
    ) -> LoginStartParams {
        return LoginStartParams(
            accountID: accountID ?? self.accountID,
            channel: channel ?? self.channel,
            force: force ?? self.force,
            timeoutMS: timeoutMS ?? self.timeoutMS,
            verbose: verbose ?? self.verbose
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - LoginStartResult
struct LoginStartResult: Codable {
    let connected: Bool?
    let message: String
    let qrDataURL, sessionKey: String?

    enum CodingKeys: String, CodingKey {
        case connected, message
        case qrDataURL = "qrDataUrl"
        case sessionKey
    }
}

// MARK: LoginStartResult convenience initializers and mutators

extension LoginStartResult {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(LoginStartResult.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        connected: Bool?? = nil,
        message: String? = nil,
        qrDataURL: String?? = nil,
        sessionKey: String?? = nil
    ) -> LoginStartResult {
        return LoginStartResult(
            connected: connected ?? self.connected,
            message: message ?? self.message,
            qrDataURL: qrDataURL ?? self.qrDataURL,
            sessionKey: sessionKey ?? self.sessionKey
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - LoginWaitParams
struct LoginWaitParams: Codable {
    let accountID: String?
    let channel: String?
    let currentQrDataURL: String?
    let sessionKey: String?
    let timeoutMS: Int?

    enum CodingKeys: String, CodingKey {
        case accountID = "accountId"
        case channel
        case currentQrDataURL = "currentQrDataUrl"
        case sessionKey
        case timeoutMS = "timeoutMs"
    }
}

// MARK: LoginWaitParams convenience initializers and mutators

extension LoginWaitParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(LoginWaitParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        accountID: String?? = nil,
        channel: String?? = nil,
        currentQrDataURL: String?? = nil,
        sessionKey: String?? = nil,
        timeoutMS: Int?? = nil
    ) -> LoginWaitParams {
        return LoginWaitParams(
            accountID: accountID ?? self.accountID,
            channel: channel ?? self.channel,
            currentQrDataURL: currentQrDataURL ?? self.currentQrDataURL,
            sessionKey: sessionKey ?? self.sessionKey,
            timeoutMS: timeoutMS ?? self.timeoutMS
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - LoginWaitResult
struct LoginWaitResult: Codable {
    let connected: Bool
    let message: String
    let qrDataURL: String?

    enum CodingKeys: String, CodingKey {
        case connected, message
        case qrDataURL = "qrDataUrl"
    }
}

// MARK: LoginWaitResult convenience initializers and mutators

extension LoginWaitResult {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(LoginWaitResult.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        connected: Bool? = nil,
        message: String? = nil,
        qrDataURL: String?? = nil
    ) -> LoginWaitResult {
        return LoginWaitResult(
            connected: connected ?? self.connected,
            message: message ?? self.message,
            qrDataURL: qrDataURL ?? self.qrDataURL
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - PairCodeParams
struct PairCodeParams: Codable {
    let accountID: String?
    let phone: String
    let timeoutMS: Int?

    enum CodingKeys: String, CodingKey {
        case accountID = "accountId"
        case phone
        case timeoutMS = "timeoutMs"
    }
}

// MARK: PairCodeParams convenience initializers and mutators

extension PairCodeParams {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PairCodeParams.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        accountID: String?? = nil,
        phone: String? = nil,
        timeoutMS: Int?? = nil
    ) -> PairCodeParams {
        return PairCodeParams(
            accountID: accountID ?? self.accountID,
            phone: phone ?? self.phone,
            timeoutMS: timeoutMS ?? self.timeoutMS
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - PairCodeResult
struct PairCodeResult: Codable {
    let code: String?
    let message: String
}

// MARK: PairCodeResult convenience initializers and mutators

extension PairCodeResult {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PairCodeResult.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        code: String?? = nil,
        message: String? = nil
    ) -> PairCodeResult {
        return PairCodeResult(
            code: code ?? self.code,
            message: message ?? self.message
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// MARK: - Helper functions for creating encoders and decoders

func newJSONDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    if #available(iOS 10.0, OSX 10.12, tvOS 10.0, watchOS 3.0, *) {
        decoder.dateDecodingStrategy = .iso8601
    }
    return decoder
}

func newJSONEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    if #available(iOS 10.0, OSX 10.12, tvOS 10.0, watchOS 3.0, *) {
        encoder.dateEncodingStrategy = .iso8601
    }
    return encoder
}

// MARK: - Encode/decode helpers

class JSONNull: Codable, Hashable {

    public static func == (lhs: JSONNull, rhs: JSONNull) -> Bool {
            return true
    }

    public var hashValue: Int {
            return 0
    }

    public init() {}

    public required init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if !container.decodeNil() {
                    throw DecodingError.typeMismatch(JSONNull.self, DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "Wrong type for JSONNull"))
            }
    }

    public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encodeNil()
    }
}

class JSONCodingKey: CodingKey {
    let key: String

    required init?(intValue: Int) {
            return nil
    }

    required init?(stringValue: String) {
            key = stringValue
    }

    var intValue: Int? {
            return nil
    }

    var stringValue: String {
            return key
    }
}

class JSONAny: Codable {

    let value: Any

    static func decodingError(forCodingPath codingPath: [CodingKey]) -> DecodingError {
            let context = DecodingError.Context(codingPath: codingPath, debugDescription: "Cannot decode JSONAny")
            return DecodingError.typeMismatch(JSONAny.self, context)
    }

    static func encodingError(forValue value: Any, codingPath: [CodingKey]) -> EncodingError {
            let context = EncodingError.Context(codingPath: codingPath, debugDescription: "Cannot encode JSONAny")
            return EncodingError.invalidValue(value, context)
    }

    static func decode(from container: SingleValueDecodingContainer) throws -> Any {
            if let value = try? container.decode(Bool.self) {
                    return value
            }
            if let value = try? container.decode(Int64.self) {
                    return value
            }
            if let value = try? container.decode(Double.self) {
                    return value
            }
            if let value = try? container.decode(String.self) {
                    return value
            }
            if container.decodeNil() {
                    return JSONNull()
            }
            throw decodingError(forCodingPath: container.codingPath)
    }

    static func decode(from container: inout UnkeyedDecodingContainer) throws -> Any {
            if let value = try? container.decode(Bool.self) {
                    return value
            }
            if let value = try? container.decode(Int64.self) {
                    return value
            }
            if let value = try? container.decode(Double.self) {
                    return value
            }
            if let value = try? container.decode(String.self) {
                    return value
            }
            if let value = try? container.decodeNil() {
                    if value {
                            return JSONNull()
                    }
            }
            if var container = try? container.nestedUnkeyedContainer() {
                    return try decodeArray(from: &container)
            }
            if var container = try? container.nestedContainer(keyedBy: JSONCodingKey.self) {
                    return try decodeDictionary(from: &container)
            }
            throw decodingError(forCodingPath: container.codingPath)
    }

    static func decode(from container: inout KeyedDecodingContainer<JSONCodingKey>, forKey key: JSONCodingKey) throws -> Any {
            if let value = try? container.decode(Bool.self, forKey: key) {
                    return value
            }
            if let value = try? container.decode(Int64.self, forKey: key) {
                    return value
            }
            if let value = try? container.decode(Double.self, forKey: key) {
                    return value
            }
            if let value = try? container.decode(String.self, forKey: key) {
                    return value
            }
            if let value = try? container.decodeNil(forKey: key) {
                    if value {
                            return JSONNull()
                    }
            }
            if var container = try? container.nestedUnkeyedContainer(forKey: key) {
                    return try decodeArray(from: &container)
            }
            if var container = try? container.nestedContainer(keyedBy: JSONCodingKey.self, forKey: key) {
                    return try decodeDictionary(from: &container)
            }
            throw decodingError(forCodingPath: container.codingPath)
    }

    static func decodeArray(from container: inout UnkeyedDecodingContainer) throws -> [Any] {
            var arr: [Any] = []
            while !container.isAtEnd {
                    let value = try decode(from: &container)
                    arr.append(value)
            }
            return arr
    }

    static func decodeDictionary(from container: inout KeyedDecodingContainer<JSONCodingKey>) throws -> [String: Any] {
            var dict = [String: Any]()
            for key in container.allKeys {
                    let value = try decode(from: &container, forKey: key)
                    dict[key.stringValue] = value
            }
            return dict
    }

    static func encode(to container: inout UnkeyedEncodingContainer, array: [Any]) throws {
            for value in array {
                    if let value = value as? Bool {
                            try container.encode(value)
                    } else if let value = value as? Int64 {
                            try container.encode(value)
                    } else if let value = value as? Double {
                            try container.encode(value)
                    } else if let value = value as? String {
                            try container.encode(value)
                    } else if value is JSONNull {
                            try container.encodeNil()
                    } else if let value = value as? [Any] {
                            var container = container.nestedUnkeyedContainer()
                            try encode(to: &container, array: value)
                    } else if let value = value as? [String: Any] {
                            var container = container.nestedContainer(keyedBy: JSONCodingKey.self)
                            try encode(to: &container, dictionary: value)
                    } else {
                            throw encodingError(forValue: value, codingPath: container.codingPath)
                    }
            }
    }

    static func encode(to container: inout KeyedEncodingContainer<JSONCodingKey>, dictionary: [String: Any]) throws {
            for (key, value) in dictionary {
                    let key = JSONCodingKey(stringValue: key)!
                    if let value = value as? Bool {
                            try container.encode(value, forKey: key)
                    } else if let value = value as? Int64 {
                            try container.encode(value, forKey: key)
                    } else if let value = value as? Double {
                            try container.encode(value, forKey: key)
                    } else if let value = value as? String {
                            try container.encode(value, forKey: key)
                    } else if value is JSONNull {
                            try container.encodeNil(forKey: key)
                    } else if let value = value as? [Any] {
                            var container = container.nestedUnkeyedContainer(forKey: key)
                            try encode(to: &container, array: value)
                    } else if let value = value as? [String: Any] {
                            var container = container.nestedContainer(keyedBy: JSONCodingKey.self, forKey: key)
                            try encode(to: &container, dictionary: value)
                    } else {
                            throw encodingError(forValue: value, codingPath: container.codingPath)
                    }
            }
    }

    static func encode(to container: inout SingleValueEncodingContainer, value: Any) throws {
            if let value = value as? Bool {
                    try container.encode(value)
            } else if let value = value as? Int64 {
                    try container.encode(value)
            } else if let value = value as? Double {
                    try container.encode(value)
            } else if let value = value as? String {
                    try container.encode(value)
            } else if value is JSONNull {
                    try container.encodeNil()
            } else {
                    throw encodingError(forValue: value, codingPath: container.codingPath)
            }
    }

    public required init(from decoder: Decoder) throws {
            if var arrayContainer = try? decoder.unkeyedContainer() {
                    self.value = try JSONAny.decodeArray(from: &arrayContainer)
            } else if var container = try? decoder.container(keyedBy: JSONCodingKey.self) {
                    self.value = try JSONAny.decodeDictionary(from: &container)
            } else {
                    let container = try decoder.singleValueContainer()
                    self.value = try JSONAny.decode(from: container)
            }
    }

    public func encode(to encoder: Encoder) throws {
            if let arr = self.value as? [Any] {
                    var container = encoder.unkeyedContainer()
                    try JSONAny.encode(to: &container, array: arr)
            } else if let dict = self.value as? [String: Any] {
                    var container = encoder.container(keyedBy: JSONCodingKey.self)
                    try JSONAny.encode(to: &container, dictionary: dict)
            } else {
                    var container = encoder.singleValueContainer()
                    try JSONAny.encode(to: &container, value: self.value)
            }
    }
}
