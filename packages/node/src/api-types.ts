/**
 * The Forcelink API's types, generated from its OpenAPI document by
 * packages/server/scripts/node-sdk-types.ts (npm run sdk:types). Do not edit by hand.
 */
export interface paths {
    "/v1/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The activity log, newest first: refreshes, connects, checklist and sync runs, writes, deliveries */
        get: {
            parameters: {
                query?: {
                    /** @description Only this connection's rows */
                    connectionId?: string;
                    /** @description The nextCursor of the previous page */
                    cursor?: string;
                    kind?: "connect" | "reconnect" | "disconnect" | "token_refresh" | "checklist_run" | "subscription" | "sync_run" | "write" | "webhook_delivery" | "proxy_error";
                    /** @description Only rows of exactly this level */
                    level?: "info" | "warn" | "error";
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                /** @description When it happened (ISO 8601) */
                                at: string;
                                connectionId: string | null;
                                details: {
                                    [key: string]: unknown;
                                };
                                id: string;
                                /** @enum {string} */
                                kind: "connect" | "reconnect" | "disconnect" | "token_refresh" | "checklist_run" | "subscription" | "sync_run" | "write" | "webhook_delivery" | "proxy_error";
                                /** @enum {string} */
                                level: "info" | "warn" | "error";
                                message: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project's API keys (never the keys themselves) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                /** Format: date-time */
                                createdAt: string;
                                id: string;
                                lastUsedAt: string | null;
                                name: string;
                                prefix: string;
                                revokedAt: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create an API key (shown once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                    };
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            key: string;
                            name: string;
                            prefix: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No content */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connect-sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make a connect link for a customer (or to reconnect a connection) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        connectionId?: string;
                        endUserId?: string;
                        /** @enum {string} */
                        environment?: "production" | "sandbox" | "mydomain";
                        myDomain?: string;
                        providerAppId: string;
                        /** Format: uri */
                        returnUrl?: string;
                    };
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The connection made (or renewed), once completed */
                            connectionId: string | null;
                            createdAt: string;
                            endUserId: string;
                            environment: string | null;
                            /** @description Why the session failed, when it did */
                            error: {
                                code: string;
                                message: string;
                            } | null;
                            expiresAt: string;
                            expiresInSeconds: number;
                            hint: string | null;
                            id: string;
                            myDomain: string | null;
                            /** @description The same link for a popup window (see @forcelink/connect) */
                            popupUrl: string;
                            providerAppId: string;
                            /** @description pending, authorizing, completed, failed, expired or stalled */
                            status: string;
                            /** @description The single-use connect link to give the customer */
                            url: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connect-sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A connect session's status */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The connection made (or renewed), once completed */
                            connectionId: string | null;
                            createdAt: string;
                            endUserId: string;
                            environment: string | null;
                            /** @description Why the session failed, when it did */
                            error: {
                                code: string;
                                message: string;
                            } | null;
                            expiresAt: string;
                            hint: string | null;
                            id: string;
                            myDomain: string | null;
                            providerAppId: string;
                            /** @description pending, authorizing, completed, failed, expired or stalled */
                            status: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project's connections, newest first */
        get: {
            parameters: {
                query?: {
                    endUserId?: string;
                    limit?: number;
                    providerAppId?: string;
                    status?: "active" | "needs_reauth" | "error";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                /** @description The org's daily API requests, as last reported by Salesforce */
                                apiUsage: {
                                    max: number;
                                    used: number;
                                } | null;
                                /** @description web_server, client_credentials or jwt_bearer */
                                authFlow: string;
                                createdAt: string;
                                endUserId: string;
                                environment: string;
                                hasRefreshToken: boolean;
                                id: string;
                                instanceUrl: string | null;
                                lastRefreshAt: string | null;
                                orgId: string | null;
                                providerAppId: string;
                                /** @description Why the customer must connect again, with the check that explains it */
                                reauth: {
                                    /** @description When it was refused, epoch ms */
                                    at: number;
                                    check: {
                                        checklist: boolean;
                                        id: string;
                                        reason?: string;
                                        remedy: string[];
                                        title: string;
                                    } | null;
                                    checklistItem?: string;
                                    description: string;
                                    error: string;
                                    reason?: string;
                                    remedy?: string;
                                } | null;
                                scopes: string[];
                                /** @description active, needs_reauth or error */
                                status: string;
                                statusReason: string | null;
                                updatedAt: string;
                                userId: string | null;
                                username: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Connect an org server-side (client credentials or JWT bearer) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        endUserId: string;
                        /** @enum {string} */
                        flow: "client_credentials";
                        myDomain: string;
                        providerAppId: string;
                    } | {
                        endUserId: string;
                        /**
                         * @default production
                         * @enum {string}
                         */
                        environment?: "production" | "sandbox" | "mydomain";
                        /** @enum {string} */
                        flow: "jwt_bearer";
                        myDomain?: string;
                        providerAppId: string;
                        username?: string;
                    };
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The org's daily API requests, as last reported by Salesforce */
                            apiUsage: {
                                max: number;
                                used: number;
                            } | null;
                            /** @description web_server, client_credentials or jwt_bearer */
                            authFlow: string;
                            createdAt: string;
                            endUserId: string;
                            environment: string;
                            hasRefreshToken: boolean;
                            id: string;
                            instanceUrl: string | null;
                            lastRefreshAt: string | null;
                            orgId: string | null;
                            providerAppId: string;
                            /** @description Why the customer must connect again, with the check that explains it */
                            reauth: {
                                /** @description When it was refused, epoch ms */
                                at: number;
                                check: {
                                    checklist: boolean;
                                    id: string;
                                    reason?: string;
                                    remedy: string[];
                                    title: string;
                                } | null;
                                checklistItem?: string;
                                description: string;
                                error: string;
                                reason?: string;
                                remedy?: string;
                            } | null;
                            scopes: string[];
                            /** @description active, needs_reauth or error */
                            status: string;
                            statusReason: string | null;
                            updatedAt: string;
                            userId: string | null;
                            username: string | null;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A connection */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The org's daily API requests, as last reported by Salesforce */
                            apiUsage: {
                                max: number;
                                used: number;
                            } | null;
                            /** @description web_server, client_credentials or jwt_bearer */
                            authFlow: string;
                            createdAt: string;
                            endUserId: string;
                            environment: string;
                            hasRefreshToken: boolean;
                            id: string;
                            instanceUrl: string | null;
                            lastRefreshAt: string | null;
                            orgId: string | null;
                            providerAppId: string;
                            /** @description Why the customer must connect again, with the check that explains it */
                            reauth: {
                                /** @description When it was refused, epoch ms */
                                at: number;
                                check: {
                                    checklist: boolean;
                                    id: string;
                                    reason?: string;
                                    remedy: string[];
                                    title: string;
                                } | null;
                                checklistItem?: string;
                                description: string;
                                error: string;
                                reason?: string;
                                remedy?: string;
                            } | null;
                            scopes: string[];
                            /** @description active, needs_reauth or error */
                            status: string;
                            statusReason: string | null;
                            updatedAt: string;
                            userId: string | null;
                            username: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Revoke the grant at Salesforce and delete the connection */
        delete: {
            parameters: {
                query?: {
                    force?: "true" | "false";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Deleted with ?force=true although Salesforce did not confirm the revocation */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            deleted: true;
                            id: string;
                            reason: string;
                            /** @enum {boolean} */
                            revoked: false;
                        };
                    };
                };
                /** @description Deleted, and the grant revoked at Salesforce */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/checklist": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The latest checklist run */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            apiCalls: {
                                /** @description REST and Tooling calls, counted against the daily quota */
                                api: number;
                                oauth: number;
                            };
                            checks: {
                                /** @description What the verdict rests on, as read from the org */
                                evidence: {
                                    [key: string]: unknown;
                                };
                                id: string;
                                /** @description Why the verdict is unknown or fail, what a warn is about */
                                reason?: string;
                                /** @description Steps for the customer's admin, for every verdict but pass */
                                remedy?: string[];
                                title: string;
                                /** @enum {string} */
                                verdict: "pass" | "fail" | "warn" | "unknown";
                            }[];
                            connectionId: string;
                            id: string;
                            /** @description No check failed: warnings and unknowns do not fail a run */
                            passed: boolean;
                            /** @description ISO 8601 */
                            ranAt: string;
                            summary: {
                                fail: number;
                                pass: number;
                                unknown: number;
                                warn: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /** Run the pre-install checklist against the org */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            apiCalls: {
                                /** @description REST and Tooling calls, counted against the daily quota */
                                api: number;
                                oauth: number;
                            };
                            checks: {
                                /** @description What the verdict rests on, as read from the org */
                                evidence: {
                                    [key: string]: unknown;
                                };
                                id: string;
                                /** @description Why the verdict is unknown or fail, what a warn is about */
                                reason?: string;
                                /** @description Steps for the customer's admin, for every verdict but pass */
                                remedy?: string[];
                                title: string;
                                /** @enum {string} */
                                verdict: "pass" | "fail" | "warn" | "unknown";
                            }[];
                            connectionId: string;
                            id: string;
                            /** @description No check failed: warnings and unknowns do not fail a run */
                            passed: boolean;
                            /** @description ISO 8601 */
                            ranAt: string;
                            summary: {
                                fail: number;
                                pass: number;
                                unknown: number;
                                warn: number;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/integrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The integrations installed on a connection */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                createdAt: string;
                                id: string;
                                integrationId: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Install an integration on a connection: schedule its objects and start their first run */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        integration: string;
                        /** @default true */
                        startNow?: boolean;
                    };
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            connectionId: string;
                            createdAt: string;
                            id: string;
                            integration: string;
                            integrationId: string;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            connectionId: string;
                            createdAt: string;
                            id: string;
                            integration: string;
                            integrationId: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/integrations/{installationId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an installation: its objects stop syncing */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    installationId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No content */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/proxy/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * GET a Salesforce API path of the connection's org, with its token
         * @description The call goes to the connection's own instance with its access token (refreshed and retried once on INVALID_SESSION_ID); the body streams both ways and Salesforce's answer (status, headers, body) is passed through. Paths served: /services/data, /services/async, /services/apexrest, /services/Soap, /services/oauth2/userinfo, /id, /cometd and below. A refusal that a checklist item explains carries Forcelink-Check and Forcelink-Remedy headers.
         */
        get: operations["proxyGet"];
        /**
         * PUT a Salesforce API path of the connection's org, with its token
         * @description The call goes to the connection's own instance with its access token (refreshed and retried once on INVALID_SESSION_ID); the body streams both ways and Salesforce's answer (status, headers, body) is passed through. Paths served: /services/data, /services/async, /services/apexrest, /services/Soap, /services/oauth2/userinfo, /id, /cometd and below. A refusal that a checklist item explains carries Forcelink-Check and Forcelink-Remedy headers.
         */
        put: operations["proxyPut"];
        /**
         * POST a Salesforce API path of the connection's org, with its token
         * @description The call goes to the connection's own instance with its access token (refreshed and retried once on INVALID_SESSION_ID); the body streams both ways and Salesforce's answer (status, headers, body) is passed through. Paths served: /services/data, /services/async, /services/apexrest, /services/Soap, /services/oauth2/userinfo, /id, /cometd and below. A refusal that a checklist item explains carries Forcelink-Check and Forcelink-Remedy headers.
         */
        post: operations["proxyPost"];
        /**
         * DELETE a Salesforce API path of the connection's org, with its token
         * @description The call goes to the connection's own instance with its access token (refreshed and retried once on INVALID_SESSION_ID); the body streams both ways and Salesforce's answer (status, headers, body) is passed through. Paths served: /services/data, /services/async, /services/apexrest, /services/Soap, /services/oauth2/userinfo, /id, /cometd and below. A refusal that a checklist item explains carries Forcelink-Check and Forcelink-Remedy headers.
         */
        delete: operations["proxyDelete"];
        options?: never;
        head?: never;
        /**
         * PATCH a Salesforce API path of the connection's org, with its token
         * @description The call goes to the connection's own instance with its access token (refreshed and retried once on INVALID_SESSION_ID); the body streams both ways and Salesforce's answer (status, headers, body) is passed through. Paths served: /services/data, /services/async, /services/apexrest, /services/Soap, /services/oauth2/userinfo, /id, /cometd and below. A refusal that a checklist item explains carries Forcelink-Check and Forcelink-Remedy headers.
         */
        patch: operations["proxyPatch"];
        trace?: never;
    };
    "/v1/connections/{id}/records/{object}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What changed in an object's records (the records destination), after a cursor */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                    object: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            hasMore: boolean;
                            /** @description Pass it back for what changed after this page */
                            nextCursor: string;
                            object: string;
                            records: {
                                data: {
                                    [key: string]: unknown;
                                } | null;
                                deleted: boolean;
                                deletedAt: string | null;
                                id: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The connection's Change Data Capture subscriptions: state, checkpoint, lag, recoveries */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                /** @description The Pub/Sub topic, e.g. /data/AccountChangeEvent */
                                channel: string;
                                /** @description The checklist check that explains a pause, with its remedy */
                                check: {
                                    checklist: boolean;
                                    id: string;
                                    reason?: string;
                                    remedy: string[];
                                    title: string;
                                } | null;
                                eventsDelivered: number;
                                id: string;
                                installationId: string;
                                /** @description Now minus the last confirmed event's commit timestamp */
                                lagMs: number | null;
                                /** @description Commit timestamp of the last confirmed event */
                                lastCommitAt: string | null;
                                lastKeepaliveAt: string | null;
                                /** @description Whether a process holds the subscription now */
                                leaseHeld: boolean;
                                object: string;
                                /** @description The latest recoveries, newest first: gap, overflow or replay_id_invalid */
                                recoveries: {
                                    at: string;
                                    reason: string;
                                    records: number;
                                }[];
                                /** @description Base64 of the replay id of the last event every destination confirmed */
                                replayId: string | null;
                                /** @enum {string} */
                                state: "starting" | "running" | "paused";
                                stateReason: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/subscriptions/{subscriptionId}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused subscription: the checklist runs now and, when its subscription checks pass, the object is selected again and the subscription runs from its checkpoint */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    subscriptionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The Pub/Sub topic, e.g. /data/AccountChangeEvent */
                            channel: string;
                            /** @description The checklist check that explains a pause, with its remedy */
                            check: {
                                checklist: boolean;
                                id: string;
                                reason?: string;
                                remedy: string[];
                                title: string;
                            } | null;
                            eventsDelivered: number;
                            id: string;
                            installationId: string;
                            /** @description Now minus the last confirmed event's commit timestamp */
                            lagMs: number | null;
                            /** @description Commit timestamp of the last confirmed event */
                            lastCommitAt: string | null;
                            lastKeepaliveAt: string | null;
                            /** @description Whether a process holds the subscription now */
                            leaseHeld: boolean;
                            object: string;
                            /** @description The latest recoveries, newest first: gap, overflow or replay_id_invalid */
                            recoveries: {
                                at: string;
                                reason: string;
                                records: number;
                            }[];
                            /** @description Base64 of the replay id of the last event every destination confirmed */
                            replayId: string | null;
                            /** @enum {string} */
                            state: "starting" | "running" | "paused";
                            stateReason: string | null;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/sync-runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The connection's sync runs, newest first */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    object?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                apiCalls: number;
                                connectionId: string;
                                counts: {
                                    deleted: number;
                                    read: number;
                                    upserted: number;
                                };
                                drift: {
                                    [key: string]: unknown;
                                } | null;
                                durationMs: number | null;
                                /** @description Why the run failed or paused: code, message, check */
                                error: {
                                    [key: string]: unknown;
                                } | null;
                                finishedAt: string | null;
                                id: string;
                                installationId: string;
                                /** @description How the run read the org: rest or bulk */
                                mode: string | null;
                                object: string;
                                startedAt: string;
                                /** @description queued, running, completed, failed or paused */
                                status: string;
                                /** @description schedule, manual or install */
                                trigger: string;
                                window: {
                                    from: string | null;
                                    to: string | null;
                                };
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/syncs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where each synced object stands */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                backfillDone: boolean;
                                /** @description Where the next run starts reading */
                                checkpoint: {
                                    field: string | null;
                                    id: string | null;
                                    value: string;
                                } | null;
                                installationId: string;
                                lastRunId: string | null;
                                object: string;
                                /** @description When the object's sync was paused (POST …/pause); null while it runs on its schedule */
                                pausedAt: string | null;
                                resumeAt: string | null;
                                /** @description idle, running, paused or failed */
                                status: string;
                                statusReason: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/syncs/{object}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run an object's sync now
         * @description 202 with the queued run; 200 with the run already queued or running.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    object: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            installationId: string;
                            object: string;
                            /** @description false when a run already queued or running answers this request */
                            queued: boolean;
                            run: {
                                apiCalls: number;
                                connectionId: string;
                                counts: {
                                    deleted: number;
                                    read: number;
                                    upserted: number;
                                };
                                drift: {
                                    [key: string]: unknown;
                                } | null;
                                durationMs: number | null;
                                /** @description Why the run failed or paused: code, message, check */
                                error: {
                                    [key: string]: unknown;
                                } | null;
                                finishedAt: string | null;
                                id: string;
                                installationId: string;
                                /** @description How the run read the org: rest or bulk */
                                mode: string | null;
                                object: string;
                                startedAt: string;
                                /** @description queued, running, completed, failed or paused */
                                status: string;
                                /** @description schedule, manual or install */
                                trigger: string;
                                window: {
                                    from: string | null;
                                    to: string | null;
                                };
                            };
                        };
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            installationId: string;
                            object: string;
                            /** @description false when a run already queued or running answers this request */
                            queued: boolean;
                            run: {
                                apiCalls: number;
                                connectionId: string;
                                counts: {
                                    deleted: number;
                                    read: number;
                                    upserted: number;
                                };
                                drift: {
                                    [key: string]: unknown;
                                } | null;
                                durationMs: number | null;
                                /** @description Why the run failed or paused: code, message, check */
                                error: {
                                    [key: string]: unknown;
                                } | null;
                                finishedAt: string | null;
                                id: string;
                                installationId: string;
                                /** @description How the run read the org: rest or bulk */
                                mode: string | null;
                                object: string;
                                startedAt: string;
                                /** @description queued, running, completed, failed or paused */
                                status: string;
                                /** @description schedule, manual or install */
                                trigger: string;
                                window: {
                                    from: string | null;
                                    to: string | null;
                                };
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/syncs/{object}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause one object's sync: scheduled and asked-for runs are skipped until it is resumed */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    object: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            installationId: string;
                            object: string;
                            paused: boolean;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/syncs/{object}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused object's sync */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    object: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            installationId: string;
                            object: string;
                            paused: boolean;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/writes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The connection's writes, newest first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    status?: "queued" | "running" | "paused" | "completed" | "failed";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                allOrNone: boolean;
                                apiCalls: number;
                                connectionId: string;
                                counts: {
                                    failed: number;
                                    /** @description Records not settled yet: total − succeeded − failed − unknown */
                                    pending: number;
                                    succeeded: number;
                                    total: number;
                                    /** @description Records whose outcome could not be known (an insert whose answer was lost) */
                                    unknown: number;
                                };
                                /** Format: date-time */
                                createdAt: string;
                                error: {
                                    /** @description The checklist item that explains it, with the admin's steps */
                                    check?: {
                                        checklist: boolean;
                                        id: string;
                                        remedy: string[];
                                        title: string;
                                    };
                                    code: string;
                                    message: string;
                                    /** @description The stable id of a Salesforce failure's cause (rest.…, oauth.…) */
                                    reason?: string;
                                    remedy?: string;
                                } | null;
                                /** @description When the write and its results are deleted */
                                expiresAt: string | null;
                                externalIdField: string | null;
                                finishedAt: string | null;
                                id: string;
                                object: string;
                                /** @enum {string} */
                                operation: "insert" | "update" | "upsert" | "delete";
                                /** @description The API the write went through */
                                path: ("collections" | "composite" | "bulk") | null;
                                /** @description The write whose failed records this one re-runs */
                                retryOf: string | null;
                                startedAt: string | null;
                                /** @enum {string} */
                                status: "queued" | "running" | "paused" | "completed" | "failed";
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        /**
         * Write records into the connection's org
         * @description Records as JSON (`records`), or as an NDJSON or CSV body (Content-Type application/x-ndjson or text/csv) with object, operation, externalIdField and allOrNone in the query. Up to FORCELINK_WRITE_SYNC_MAX records run within the request (200, every result); more are queued (202, Location).
         */
        post: {
            parameters: {
                query?: {
                    allOrNone?: "true" | "false";
                    externalIdField?: string;
                    object?: string;
                    operation?: "insert" | "update" | "upsert" | "delete";
                };
                header?: {
                    /** @description The same key with the same request answers the same write, never a second execution */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description All records or none (up to 1,000 records)
                         * @default false
                         */
                        allOrNone?: boolean;
                        /** @description For upsert: the External ID field records are matched on */
                        externalIdField?: string;
                        /** @description The object's API name: Contact, Invoice__c */
                        object: string;
                        /** @enum {string} */
                        operation: "insert" | "update" | "upsert" | "delete";
                        /** @description Field API names to values; a parent by external id is {"Account": {"Ext_Id__c": "A-1"}} */
                        records: {
                            [key: string]: unknown;
                        }[];
                    } | null;
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            allOrNone: boolean;
                            apiCalls: number;
                            connectionId: string;
                            counts: {
                                failed: number;
                                /** @description Records not settled yet: total − succeeded − failed − unknown */
                                pending: number;
                                succeeded: number;
                                total: number;
                                /** @description Records whose outcome could not be known (an insert whose answer was lost) */
                                unknown: number;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            error: {
                                /** @description The checklist item that explains it, with the admin's steps */
                                check?: {
                                    checklist: boolean;
                                    id: string;
                                    remedy: string[];
                                    title: string;
                                };
                                code: string;
                                message: string;
                                /** @description The stable id of a Salesforce failure's cause (rest.…, oauth.…) */
                                reason?: string;
                                remedy?: string;
                            } | null;
                            /** @description When the write and its results are deleted */
                            expiresAt: string | null;
                            externalIdField: string | null;
                            finishedAt: string | null;
                            id: string;
                            object: string;
                            /** @enum {string} */
                            operation: "insert" | "update" | "upsert" | "delete";
                            /** @description The API the write went through */
                            path: ("collections" | "composite" | "bulk") | null;
                            /** @description Every record's result in input order, when the write ran within the request */
                            results?: {
                                created: boolean;
                                errors: {
                                    /** @description The checklist item that explains the error (field-editable, object-access…) */
                                    check?: string;
                                    /** @description Salesforce's status code, such as REQUIRED_FIELD_MISSING */
                                    code: string;
                                    fields: string[];
                                    message: string;
                                    /** @description Whether the error may pass on its own (a lock, a limit): see retryableOnly */
                                    retryable: boolean;
                                }[];
                                /** @description The record's Salesforce Id */
                                id: string | null;
                                /** @description The record's position in the input, from 0 (kept by a retry) */
                                index: number;
                                /** @enum {string} */
                                status: "pending" | "sending" | "succeeded" | "failed" | "unknown";
                                success: boolean;
                            }[];
                            /** @description The write whose failed records this one re-runs */
                            retryOf: string | null;
                            startedAt: string | null;
                            /** @enum {string} */
                            status: "queued" | "running" | "paused" | "completed" | "failed";
                        };
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            allOrNone: boolean;
                            apiCalls: number;
                            connectionId: string;
                            counts: {
                                failed: number;
                                /** @description Records not settled yet: total − succeeded − failed − unknown */
                                pending: number;
                                succeeded: number;
                                total: number;
                                /** @description Records whose outcome could not be known (an insert whose answer was lost) */
                                unknown: number;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            error: {
                                /** @description The checklist item that explains it, with the admin's steps */
                                check?: {
                                    checklist: boolean;
                                    id: string;
                                    remedy: string[];
                                    title: string;
                                };
                                code: string;
                                message: string;
                                /** @description The stable id of a Salesforce failure's cause (rest.…, oauth.…) */
                                reason?: string;
                                remedy?: string;
                            } | null;
                            /** @description When the write and its results are deleted */
                            expiresAt: string | null;
                            externalIdField: string | null;
                            finishedAt: string | null;
                            id: string;
                            object: string;
                            /** @enum {string} */
                            operation: "insert" | "update" | "upsert" | "delete";
                            /** @description The API the write went through */
                            path: ("collections" | "composite" | "bulk") | null;
                            /** @description Every record's result in input order, when the write ran within the request */
                            results?: {
                                created: boolean;
                                errors: {
                                    /** @description The checklist item that explains the error (field-editable, object-access…) */
                                    check?: string;
                                    /** @description Salesforce's status code, such as REQUIRED_FIELD_MISSING */
                                    code: string;
                                    fields: string[];
                                    message: string;
                                    /** @description Whether the error may pass on its own (a lock, a limit): see retryableOnly */
                                    retryable: boolean;
                                }[];
                                /** @description The record's Salesforce Id */
                                id: string | null;
                                /** @description The record's position in the input, from 0 (kept by a retry) */
                                index: number;
                                /** @enum {string} */
                                status: "pending" | "sending" | "succeeded" | "failed" | "unknown";
                                success: boolean;
                            }[];
                            /** @description The write whose failed records this one re-runs */
                            retryOf: string | null;
                            startedAt: string | null;
                            /** @enum {string} */
                            status: "queued" | "running" | "paused" | "completed" | "failed";
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/writes/{writeId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A write: status, counts, path, API calls
         * @description With `wait` (seconds, up to 60), the answer is held until the write is completed, failed or paused, or the time is up, whichever comes first; then it is the write as it stands. A client waits for a queued write with one call at a time instead of polling.
         */
        get: {
            parameters: {
                query?: {
                    wait?: number;
                };
                header?: never;
                path: {
                    id: string;
                    writeId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            allOrNone: boolean;
                            apiCalls: number;
                            connectionId: string;
                            counts: {
                                failed: number;
                                /** @description Records not settled yet: total − succeeded − failed − unknown */
                                pending: number;
                                succeeded: number;
                                total: number;
                                /** @description Records whose outcome could not be known (an insert whose answer was lost) */
                                unknown: number;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            error: {
                                /** @description The checklist item that explains it, with the admin's steps */
                                check?: {
                                    checklist: boolean;
                                    id: string;
                                    remedy: string[];
                                    title: string;
                                };
                                code: string;
                                message: string;
                                /** @description The stable id of a Salesforce failure's cause (rest.…, oauth.…) */
                                reason?: string;
                                remedy?: string;
                            } | null;
                            /** @description When the write and its results are deleted */
                            expiresAt: string | null;
                            externalIdField: string | null;
                            finishedAt: string | null;
                            id: string;
                            object: string;
                            /** @enum {string} */
                            operation: "insert" | "update" | "upsert" | "delete";
                            /** @description The API the write went through */
                            path: ("collections" | "composite" | "bulk") | null;
                            /** @description The write whose failed records this one re-runs */
                            retryOf: string | null;
                            startedAt: string | null;
                            /** @enum {string} */
                            status: "queued" | "running" | "paused" | "completed" | "failed";
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/writes/{writeId}/results": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A write's per-record results, by index */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    status?: "pending" | "sending" | "succeeded" | "failed" | "unknown";
                };
                header?: never;
                path: {
                    id: string;
                    writeId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                created: boolean;
                                errors: {
                                    /** @description The checklist item that explains the error (field-editable, object-access…) */
                                    check?: string;
                                    /** @description Salesforce's status code, such as REQUIRED_FIELD_MISSING */
                                    code: string;
                                    fields: string[];
                                    message: string;
                                    /** @description Whether the error may pass on its own (a lock, a limit): see retryableOnly */
                                    retryable: boolean;
                                }[];
                                /** @description The record's Salesforce Id */
                                id: string | null;
                                /** @description The record's position in the input, from 0 (kept by a retry) */
                                index: number;
                                /** @enum {string} */
                                status: "pending" | "sending" | "succeeded" | "failed" | "unknown";
                                success: boolean;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}/writes/{writeId}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Re-run a finished write's failed records as a new write
         * @description A new write (retryOf = this one) of the records that failed (and those never sent), with their original indexes; with retryableOnly, only those whose errors may pass on their own. 409 while the write runs, 422 when nothing failed.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description The same key with the same request answers the same write, never a second execution */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                    writeId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @default false */
                        retryableOnly?: boolean;
                    } | null;
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            allOrNone: boolean;
                            apiCalls: number;
                            connectionId: string;
                            counts: {
                                failed: number;
                                /** @description Records not settled yet: total − succeeded − failed − unknown */
                                pending: number;
                                succeeded: number;
                                total: number;
                                /** @description Records whose outcome could not be known (an insert whose answer was lost) */
                                unknown: number;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            error: {
                                /** @description The checklist item that explains it, with the admin's steps */
                                check?: {
                                    checklist: boolean;
                                    id: string;
                                    remedy: string[];
                                    title: string;
                                };
                                code: string;
                                message: string;
                                /** @description The stable id of a Salesforce failure's cause (rest.…, oauth.…) */
                                reason?: string;
                                remedy?: string;
                            } | null;
                            /** @description When the write and its results are deleted */
                            expiresAt: string | null;
                            externalIdField: string | null;
                            finishedAt: string | null;
                            id: string;
                            object: string;
                            /** @enum {string} */
                            operation: "insert" | "update" | "upsert" | "delete";
                            /** @description The API the write went through */
                            path: ("collections" | "composite" | "bulk") | null;
                            /** @description Every record's result in input order, when the write ran within the request */
                            results?: {
                                created: boolean;
                                errors: {
                                    /** @description The checklist item that explains the error (field-editable, object-access…) */
                                    check?: string;
                                    /** @description Salesforce's status code, such as REQUIRED_FIELD_MISSING */
                                    code: string;
                                    fields: string[];
                                    message: string;
                                    /** @description Whether the error may pass on its own (a lock, a limit): see retryableOnly */
                                    retryable: boolean;
                                }[];
                                /** @description The record's Salesforce Id */
                                id: string | null;
                                /** @description The record's position in the input, from 0 (kept by a retry) */
                                index: number;
                                /** @enum {string} */
                                status: "pending" | "sending" | "succeeded" | "failed" | "unknown";
                                success: boolean;
                            }[];
                            /** @description The write whose failed records this one re-runs */
                            retryOf: string | null;
                            startedAt: string | null;
                            /** @enum {string} */
                            status: "queued" | "running" | "paused" | "completed" | "failed";
                        };
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            allOrNone: boolean;
                            apiCalls: number;
                            connectionId: string;
                            counts: {
                                failed: number;
                                /** @description Records not settled yet: total − succeeded − failed − unknown */
                                pending: number;
                                succeeded: number;
                                total: number;
                                /** @description Records whose outcome could not be known (an insert whose answer was lost) */
                                unknown: number;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            error: {
                                /** @description The checklist item that explains it, with the admin's steps */
                                check?: {
                                    checklist: boolean;
                                    id: string;
                                    remedy: string[];
                                    title: string;
                                };
                                code: string;
                                message: string;
                                /** @description The stable id of a Salesforce failure's cause (rest.…, oauth.…) */
                                reason?: string;
                                remedy?: string;
                            } | null;
                            /** @description When the write and its results are deleted */
                            expiresAt: string | null;
                            externalIdField: string | null;
                            finishedAt: string | null;
                            id: string;
                            object: string;
                            /** @enum {string} */
                            operation: "insert" | "update" | "upsert" | "delete";
                            /** @description The API the write went through */
                            path: ("collections" | "composite" | "bulk") | null;
                            /** @description Every record's result in input order, when the write ran within the request */
                            results?: {
                                created: boolean;
                                errors: {
                                    /** @description The checklist item that explains the error (field-editable, object-access…) */
                                    check?: string;
                                    /** @description Salesforce's status code, such as REQUIRED_FIELD_MISSING */
                                    code: string;
                                    fields: string[];
                                    message: string;
                                    /** @description Whether the error may pass on its own (a lock, a limit): see retryableOnly */
                                    retryable: boolean;
                                }[];
                                /** @description The record's Salesforce Id */
                                id: string | null;
                                /** @description The record's position in the input, from 0 (kept by a retry) */
                                index: number;
                                /** @enum {string} */
                                status: "pending" | "sending" | "succeeded" | "failed" | "unknown";
                                success: boolean;
                            }[];
                            /** @description The write whose failed records this one re-runs */
                            retryOf: string | null;
                            startedAt: string | null;
                            /** @enum {string} */
                            status: "queued" | "running" | "paused" | "completed" | "failed";
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/integrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project's integrations */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                createdAt: string;
                                id: string;
                                /** @description The manifest as validated, in its JSON form (schema at /schemas/integration-manifest.json) */
                                manifest: {
                                    [key: string]: unknown;
                                };
                                name: string;
                                updatedAt: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /**
         * Upload a manifest (create the integration, or replace the one of the same name)
         * @description YAML (application/yaml) or JSON. Answers 201 for a new integration, 200 for a changed one; 422 lists every problem with its line and column.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description The integration's manifest, in YAML or JSON */
            requestBody: {
                content: {
                    "application/json": {
                        /** @description What the integration is for. */
                        description?: string;
                        /** @description Where records go, by name. Objects refer to these names; required when objects are read. */
                        destinations?: {
                            [key: string]: {
                                /**
                                 * @description Schema the tables are written to.
                                 * @default public
                                 */
                                schema?: string;
                                /**
                                 * @description Prefix of every table name, like sf_ for sf_account.
                                 * @default
                                 */
                                tablePrefix?: string;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "postgres";
                                /**
                                 * Format: uri
                                 * @description Connection URL of the Postgres database (postgres:// or postgresql://). Treated as a secret.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Most records in one request.
                                 * @default 1000
                                 */
                                batchSize?: number;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "webhook";
                                /**
                                 * Format: uri
                                 * @description Address the changed records are POSTed to.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "records";
                            };
                        };
                        /** @description Name of the integration. */
                        name: string;
                        /** @description The Salesforce objects to read; required unless the integration only writes. */
                        objects?: {
                            /**
                             * @description How much history the first run reads: "full", "<n>d", or {days: n}.
                             * @default full
                             */
                            backfill?: string | {
                                /** @description Days of history to read on the first run. */
                                days: number;
                            };
                            /**
                             * @description Whether deleted records are tracked (queryAll and IsDeleted).
                             * @default true
                             */
                            deletes?: boolean;
                            /** @description Destinations this object's records go to: keys of the top-level destinations. */
                            destinations: string[];
                            /**
                             * @description Fields to read: a list of field API names (Id is always added), or "all" readable fields.
                             * @default all
                             */
                            fields?: "all" | string[];
                            /**
                             * @description When to re-read formula fields, whose values change without SystemModstamp changing: a cron expression.
                             * @example *\/15 * * * *
                             */
                            formulaRefresh?: string;
                            /** @description API name of the Salesforce object (Account, Invoice__c). Each object may appear once. */
                            name: string;
                            /**
                             * @description When to read changes: a 5-field cron expression.
                             * @default 0 * * * *
                             * @example *\/15 * * * *
                             */
                            schedule?: string;
                            /**
                             * @description Also deliver its changes as they happen: Forcelink selects the object for Change Data Capture and subscribes over the Pub/Sub API. {enrichedFields: […]} subscribes with enrichment.
                             * @default false
                             */
                            subscribe?: boolean | {
                                /** @description Fields every update and delete event carries even when unchanged (Change Data Capture enrichment), e.g. an external id; each among the object's fields. */
                                enrichedFields: string[];
                            };
                        }[];
                        /** @description What the integration writes into the org: objects, operations and fields. */
                        writes?: {
                            /** @description The Salesforce objects the integration writes. */
                            objects: {
                                /** @description With upsert: the external id field records are matched on; it is written too. */
                                externalIdField?: string;
                                /** @description The fields the writes set (each must be editable by the connected user); required unless the object is only deleted. Id needs no listing. */
                                fields?: string[];
                                /** @description API name of the Salesforce object written (Contact, Invoice__c). Each object may appear once. */
                                name: string;
                                /** @description The operations the integration performs on the object: insert, update, upsert, delete. */
                                operations: ("insert" | "update" | "upsert" | "delete")[];
                            }[];
                            /**
                             * @description Refuse, with a 422 naming this manifest, a write to the connection that this list does not declare.
                             * @default false
                             */
                            strict?: boolean;
                        };
                    } | unknown | unknown;
                    "application/x-yaml": {
                        /** @description What the integration is for. */
                        description?: string;
                        /** @description Where records go, by name. Objects refer to these names; required when objects are read. */
                        destinations?: {
                            [key: string]: {
                                /**
                                 * @description Schema the tables are written to.
                                 * @default public
                                 */
                                schema?: string;
                                /**
                                 * @description Prefix of every table name, like sf_ for sf_account.
                                 * @default
                                 */
                                tablePrefix?: string;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "postgres";
                                /**
                                 * Format: uri
                                 * @description Connection URL of the Postgres database (postgres:// or postgresql://). Treated as a secret.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Most records in one request.
                                 * @default 1000
                                 */
                                batchSize?: number;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "webhook";
                                /**
                                 * Format: uri
                                 * @description Address the changed records are POSTed to.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "records";
                            };
                        };
                        /** @description Name of the integration. */
                        name: string;
                        /** @description The Salesforce objects to read; required unless the integration only writes. */
                        objects?: {
                            /**
                             * @description How much history the first run reads: "full", "<n>d", or {days: n}.
                             * @default full
                             */
                            backfill?: string | {
                                /** @description Days of history to read on the first run. */
                                days: number;
                            };
                            /**
                             * @description Whether deleted records are tracked (queryAll and IsDeleted).
                             * @default true
                             */
                            deletes?: boolean;
                            /** @description Destinations this object's records go to: keys of the top-level destinations. */
                            destinations: string[];
                            /**
                             * @description Fields to read: a list of field API names (Id is always added), or "all" readable fields.
                             * @default all
                             */
                            fields?: "all" | string[];
                            /**
                             * @description When to re-read formula fields, whose values change without SystemModstamp changing: a cron expression.
                             * @example *\/15 * * * *
                             */
                            formulaRefresh?: string;
                            /** @description API name of the Salesforce object (Account, Invoice__c). Each object may appear once. */
                            name: string;
                            /**
                             * @description When to read changes: a 5-field cron expression.
                             * @default 0 * * * *
                             * @example *\/15 * * * *
                             */
                            schedule?: string;
                            /**
                             * @description Also deliver its changes as they happen: Forcelink selects the object for Change Data Capture and subscribes over the Pub/Sub API. {enrichedFields: […]} subscribes with enrichment.
                             * @default false
                             */
                            subscribe?: boolean | {
                                /** @description Fields every update and delete event carries even when unchanged (Change Data Capture enrichment), e.g. an external id; each among the object's fields. */
                                enrichedFields: string[];
                            };
                        }[];
                        /** @description What the integration writes into the org: objects, operations and fields. */
                        writes?: {
                            /** @description The Salesforce objects the integration writes. */
                            objects: {
                                /** @description With upsert: the external id field records are matched on; it is written too. */
                                externalIdField?: string;
                                /** @description The fields the writes set (each must be editable by the connected user); required unless the object is only deleted. Id needs no listing. */
                                fields?: string[];
                                /** @description API name of the Salesforce object written (Contact, Invoice__c). Each object may appear once. */
                                name: string;
                                /** @description The operations the integration performs on the object: insert, update, upsert, delete. */
                                operations: ("insert" | "update" | "upsert" | "delete")[];
                            }[];
                            /**
                             * @description Refuse, with a 422 naming this manifest, a write to the connection that this list does not declare.
                             * @default false
                             */
                            strict?: boolean;
                        };
                    } | unknown | unknown;
                    "application/yaml": {
                        /** @description What the integration is for. */
                        description?: string;
                        /** @description Where records go, by name. Objects refer to these names; required when objects are read. */
                        destinations?: {
                            [key: string]: {
                                /**
                                 * @description Schema the tables are written to.
                                 * @default public
                                 */
                                schema?: string;
                                /**
                                 * @description Prefix of every table name, like sf_ for sf_account.
                                 * @default
                                 */
                                tablePrefix?: string;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "postgres";
                                /**
                                 * Format: uri
                                 * @description Connection URL of the Postgres database (postgres:// or postgresql://). Treated as a secret.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Most records in one request.
                                 * @default 1000
                                 */
                                batchSize?: number;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "webhook";
                                /**
                                 * Format: uri
                                 * @description Address the changed records are POSTed to.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "records";
                            };
                        };
                        /** @description Name of the integration. */
                        name: string;
                        /** @description The Salesforce objects to read; required unless the integration only writes. */
                        objects?: {
                            /**
                             * @description How much history the first run reads: "full", "<n>d", or {days: n}.
                             * @default full
                             */
                            backfill?: string | {
                                /** @description Days of history to read on the first run. */
                                days: number;
                            };
                            /**
                             * @description Whether deleted records are tracked (queryAll and IsDeleted).
                             * @default true
                             */
                            deletes?: boolean;
                            /** @description Destinations this object's records go to: keys of the top-level destinations. */
                            destinations: string[];
                            /**
                             * @description Fields to read: a list of field API names (Id is always added), or "all" readable fields.
                             * @default all
                             */
                            fields?: "all" | string[];
                            /**
                             * @description When to re-read formula fields, whose values change without SystemModstamp changing: a cron expression.
                             * @example *\/15 * * * *
                             */
                            formulaRefresh?: string;
                            /** @description API name of the Salesforce object (Account, Invoice__c). Each object may appear once. */
                            name: string;
                            /**
                             * @description When to read changes: a 5-field cron expression.
                             * @default 0 * * * *
                             * @example *\/15 * * * *
                             */
                            schedule?: string;
                            /**
                             * @description Also deliver its changes as they happen: Forcelink selects the object for Change Data Capture and subscribes over the Pub/Sub API. {enrichedFields: […]} subscribes with enrichment.
                             * @default false
                             */
                            subscribe?: boolean | {
                                /** @description Fields every update and delete event carries even when unchanged (Change Data Capture enrichment), e.g. an external id; each among the object's fields. */
                                enrichedFields: string[];
                            };
                        }[];
                        /** @description What the integration writes into the org: objects, operations and fields. */
                        writes?: {
                            /** @description The Salesforce objects the integration writes. */
                            objects: {
                                /** @description With upsert: the external id field records are matched on; it is written too. */
                                externalIdField?: string;
                                /** @description The fields the writes set (each must be editable by the connected user); required unless the object is only deleted. Id needs no listing. */
                                fields?: string[];
                                /** @description API name of the Salesforce object written (Contact, Invoice__c). Each object may appear once. */
                                name: string;
                                /** @description The operations the integration performs on the object: insert, update, upsert, delete. */
                                operations: ("insert" | "update" | "upsert" | "delete")[];
                            }[];
                            /**
                             * @description Refuse, with a 422 naming this manifest, a write to the connection that this list does not declare.
                             * @default false
                             */
                            strict?: boolean;
                        };
                    } | unknown | unknown;
                    "text/plain": {
                        /** @description What the integration is for. */
                        description?: string;
                        /** @description Where records go, by name. Objects refer to these names; required when objects are read. */
                        destinations?: {
                            [key: string]: {
                                /**
                                 * @description Schema the tables are written to.
                                 * @default public
                                 */
                                schema?: string;
                                /**
                                 * @description Prefix of every table name, like sf_ for sf_account.
                                 * @default
                                 */
                                tablePrefix?: string;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "postgres";
                                /**
                                 * Format: uri
                                 * @description Connection URL of the Postgres database (postgres:// or postgresql://). Treated as a secret.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Most records in one request.
                                 * @default 1000
                                 */
                                batchSize?: number;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "webhook";
                                /**
                                 * Format: uri
                                 * @description Address the changed records are POSTed to.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "records";
                            };
                        };
                        /** @description Name of the integration. */
                        name: string;
                        /** @description The Salesforce objects to read; required unless the integration only writes. */
                        objects?: {
                            /**
                             * @description How much history the first run reads: "full", "<n>d", or {days: n}.
                             * @default full
                             */
                            backfill?: string | {
                                /** @description Days of history to read on the first run. */
                                days: number;
                            };
                            /**
                             * @description Whether deleted records are tracked (queryAll and IsDeleted).
                             * @default true
                             */
                            deletes?: boolean;
                            /** @description Destinations this object's records go to: keys of the top-level destinations. */
                            destinations: string[];
                            /**
                             * @description Fields to read: a list of field API names (Id is always added), or "all" readable fields.
                             * @default all
                             */
                            fields?: "all" | string[];
                            /**
                             * @description When to re-read formula fields, whose values change without SystemModstamp changing: a cron expression.
                             * @example *\/15 * * * *
                             */
                            formulaRefresh?: string;
                            /** @description API name of the Salesforce object (Account, Invoice__c). Each object may appear once. */
                            name: string;
                            /**
                             * @description When to read changes: a 5-field cron expression.
                             * @default 0 * * * *
                             * @example *\/15 * * * *
                             */
                            schedule?: string;
                            /**
                             * @description Also deliver its changes as they happen: Forcelink selects the object for Change Data Capture and subscribes over the Pub/Sub API. {enrichedFields: […]} subscribes with enrichment.
                             * @default false
                             */
                            subscribe?: boolean | {
                                /** @description Fields every update and delete event carries even when unchanged (Change Data Capture enrichment), e.g. an external id; each among the object's fields. */
                                enrichedFields: string[];
                            };
                        }[];
                        /** @description What the integration writes into the org: objects, operations and fields. */
                        writes?: {
                            /** @description The Salesforce objects the integration writes. */
                            objects: {
                                /** @description With upsert: the external id field records are matched on; it is written too. */
                                externalIdField?: string;
                                /** @description The fields the writes set (each must be editable by the connected user); required unless the object is only deleted. Id needs no listing. */
                                fields?: string[];
                                /** @description API name of the Salesforce object written (Contact, Invoice__c). Each object may appear once. */
                                name: string;
                                /** @description The operations the integration performs on the object: insert, update, upsert, delete. */
                                operations: ("insert" | "update" | "upsert" | "delete")[];
                            }[];
                            /**
                             * @description Refuse, with a 422 naming this manifest, a write to the connection that this list does not declare.
                             * @default false
                             */
                            strict?: boolean;
                        };
                    } | unknown | unknown;
                    "text/x-yaml": {
                        /** @description What the integration is for. */
                        description?: string;
                        /** @description Where records go, by name. Objects refer to these names; required when objects are read. */
                        destinations?: {
                            [key: string]: {
                                /**
                                 * @description Schema the tables are written to.
                                 * @default public
                                 */
                                schema?: string;
                                /**
                                 * @description Prefix of every table name, like sf_ for sf_account.
                                 * @default
                                 */
                                tablePrefix?: string;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "postgres";
                                /**
                                 * Format: uri
                                 * @description Connection URL of the Postgres database (postgres:// or postgresql://). Treated as a secret.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Most records in one request.
                                 * @default 1000
                                 */
                                batchSize?: number;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "webhook";
                                /**
                                 * Format: uri
                                 * @description Address the changed records are POSTed to.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "records";
                            };
                        };
                        /** @description Name of the integration. */
                        name: string;
                        /** @description The Salesforce objects to read; required unless the integration only writes. */
                        objects?: {
                            /**
                             * @description How much history the first run reads: "full", "<n>d", or {days: n}.
                             * @default full
                             */
                            backfill?: string | {
                                /** @description Days of history to read on the first run. */
                                days: number;
                            };
                            /**
                             * @description Whether deleted records are tracked (queryAll and IsDeleted).
                             * @default true
                             */
                            deletes?: boolean;
                            /** @description Destinations this object's records go to: keys of the top-level destinations. */
                            destinations: string[];
                            /**
                             * @description Fields to read: a list of field API names (Id is always added), or "all" readable fields.
                             * @default all
                             */
                            fields?: "all" | string[];
                            /**
                             * @description When to re-read formula fields, whose values change without SystemModstamp changing: a cron expression.
                             * @example *\/15 * * * *
                             */
                            formulaRefresh?: string;
                            /** @description API name of the Salesforce object (Account, Invoice__c). Each object may appear once. */
                            name: string;
                            /**
                             * @description When to read changes: a 5-field cron expression.
                             * @default 0 * * * *
                             * @example *\/15 * * * *
                             */
                            schedule?: string;
                            /**
                             * @description Also deliver its changes as they happen: Forcelink selects the object for Change Data Capture and subscribes over the Pub/Sub API. {enrichedFields: […]} subscribes with enrichment.
                             * @default false
                             */
                            subscribe?: boolean | {
                                /** @description Fields every update and delete event carries even when unchanged (Change Data Capture enrichment), e.g. an external id; each among the object's fields. */
                                enrichedFields: string[];
                            };
                        }[];
                        /** @description What the integration writes into the org: objects, operations and fields. */
                        writes?: {
                            /** @description The Salesforce objects the integration writes. */
                            objects: {
                                /** @description With upsert: the external id field records are matched on; it is written too. */
                                externalIdField?: string;
                                /** @description The fields the writes set (each must be editable by the connected user); required unless the object is only deleted. Id needs no listing. */
                                fields?: string[];
                                /** @description API name of the Salesforce object written (Contact, Invoice__c). Each object may appear once. */
                                name: string;
                                /** @description The operations the integration performs on the object: insert, update, upsert, delete. */
                                operations: ("insert" | "update" | "upsert" | "delete")[];
                            }[];
                            /**
                             * @description Refuse, with a 422 naming this manifest, a write to the connection that this list does not declare.
                             * @default false
                             */
                            strict?: boolean;
                        };
                    } | unknown | unknown;
                    "text/yaml": {
                        /** @description What the integration is for. */
                        description?: string;
                        /** @description Where records go, by name. Objects refer to these names; required when objects are read. */
                        destinations?: {
                            [key: string]: {
                                /**
                                 * @description Schema the tables are written to.
                                 * @default public
                                 */
                                schema?: string;
                                /**
                                 * @description Prefix of every table name, like sf_ for sf_account.
                                 * @default
                                 */
                                tablePrefix?: string;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "postgres";
                                /**
                                 * Format: uri
                                 * @description Connection URL of the Postgres database (postgres:// or postgresql://). Treated as a secret.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Most records in one request.
                                 * @default 1000
                                 */
                                batchSize?: number;
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "webhook";
                                /**
                                 * Format: uri
                                 * @description Address the changed records are POSTed to.
                                 */
                                url: string;
                            } | {
                                /**
                                 * @description Kind of destination.
                                 * @enum {string}
                                 */
                                type: "records";
                            };
                        };
                        /** @description Name of the integration. */
                        name: string;
                        /** @description The Salesforce objects to read; required unless the integration only writes. */
                        objects?: {
                            /**
                             * @description How much history the first run reads: "full", "<n>d", or {days: n}.
                             * @default full
                             */
                            backfill?: string | {
                                /** @description Days of history to read on the first run. */
                                days: number;
                            };
                            /**
                             * @description Whether deleted records are tracked (queryAll and IsDeleted).
                             * @default true
                             */
                            deletes?: boolean;
                            /** @description Destinations this object's records go to: keys of the top-level destinations. */
                            destinations: string[];
                            /**
                             * @description Fields to read: a list of field API names (Id is always added), or "all" readable fields.
                             * @default all
                             */
                            fields?: "all" | string[];
                            /**
                             * @description When to re-read formula fields, whose values change without SystemModstamp changing: a cron expression.
                             * @example *\/15 * * * *
                             */
                            formulaRefresh?: string;
                            /** @description API name of the Salesforce object (Account, Invoice__c). Each object may appear once. */
                            name: string;
                            /**
                             * @description When to read changes: a 5-field cron expression.
                             * @default 0 * * * *
                             * @example *\/15 * * * *
                             */
                            schedule?: string;
                            /**
                             * @description Also deliver its changes as they happen: Forcelink selects the object for Change Data Capture and subscribes over the Pub/Sub API. {enrichedFields: […]} subscribes with enrichment.
                             * @default false
                             */
                            subscribe?: boolean | {
                                /** @description Fields every update and delete event carries even when unchanged (Change Data Capture enrichment), e.g. an external id; each among the object's fields. */
                                enrichedFields: string[];
                            };
                        }[];
                        /** @description What the integration writes into the org: objects, operations and fields. */
                        writes?: {
                            /** @description The Salesforce objects the integration writes. */
                            objects: {
                                /** @description With upsert: the external id field records are matched on; it is written too. */
                                externalIdField?: string;
                                /** @description The fields the writes set (each must be editable by the connected user); required unless the object is only deleted. Id needs no listing. */
                                fields?: string[];
                                /** @description API name of the Salesforce object written (Contact, Invoice__c). Each object may appear once. */
                                name: string;
                                /** @description The operations the integration performs on the object: insert, update, upsert, delete. */
                                operations: ("insert" | "update" | "upsert" | "delete")[];
                            }[];
                            /**
                             * @description Refuse, with a 422 naming this manifest, a write to the connection that this list does not declare.
                             * @default false
                             */
                            strict?: boolean;
                        };
                    } | unknown | unknown;
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            id: string;
                            /** @description The manifest as validated, in its JSON form (schema at /schemas/integration-manifest.json) */
                            manifest: {
                                [key: string]: unknown;
                            };
                            name: string;
                            updatedAt: string;
                            /** @description Signing secrets of webhook destinations new in this manifest, by destination name. Shown once. */
                            webhookSecrets: {
                                [key: string]: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            id: string;
                            /** @description The manifest as validated, in its JSON form (schema at /schemas/integration-manifest.json) */
                            manifest: {
                                [key: string]: unknown;
                            };
                            name: string;
                            updatedAt: string;
                            /** @description Signing secrets of webhook destinations new in this manifest, by destination name. Shown once. */
                            webhookSecrets: {
                                [key: string]: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/integrations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An integration, by id or name */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            id: string;
                            /** @description The manifest as validated, in its JSON form (schema at /schemas/integration-manifest.json) */
                            manifest: {
                                [key: string]: unknown;
                            };
                            name: string;
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete an integration and its installations */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No content */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/provider-apps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project's provider apps */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                callbackUrl: string;
                                clientCredentialsEnabled: boolean;
                                clientId: string;
                                /** Format: date-time */
                                createdAt: string;
                                id: string;
                                jwt: {
                                    /** @enum {boolean} */
                                    configured: true;
                                    keyFingerprint: string | null;
                                    username: string;
                                } | null;
                                /** @enum {string} */
                                kind: "connected_app" | "external_client_app";
                                name: string;
                                pkce: boolean;
                                requirements: {
                                    objects: {
                                        access: ("read" | "write" | "create" | "edit" | "delete" | "subscribe")[];
                                        fields?: string[];
                                        name: string;
                                    }[];
                                } | null;
                                scopes: string[];
                                setup: string[];
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Register a Salesforce Connected App or External Client App */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        clientCredentials?: {
                            enabled: boolean;
                        };
                        clientId: string;
                        clientSecret: string;
                        jwt?: {
                            privateKey: string;
                            username: string;
                        } | null;
                        /** @enum {string} */
                        kind: "connected_app" | "external_client_app";
                        name: string;
                        pkce?: boolean;
                        requirements?: {
                            objects: {
                                access: ("read" | "write" | "create" | "edit" | "delete" | "subscribe")[];
                                fields?: string[];
                                name: string;
                            }[];
                        } | null;
                        scopes?: string[];
                    };
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            callbackUrl: string;
                            clientCredentialsEnabled: boolean;
                            clientId: string;
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            jwt: {
                                /** @enum {boolean} */
                                configured: true;
                                keyFingerprint: string | null;
                                username: string;
                            } | null;
                            /** @enum {string} */
                            kind: "connected_app" | "external_client_app";
                            name: string;
                            pkce: boolean;
                            requirements: {
                                objects: {
                                    access: ("read" | "write" | "create" | "edit" | "delete" | "subscribe")[];
                                    fields?: string[];
                                    name: string;
                                }[];
                            } | null;
                            scopes: string[];
                            setup: string[];
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/provider-apps/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A provider app */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            callbackUrl: string;
                            clientCredentialsEnabled: boolean;
                            clientId: string;
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            jwt: {
                                /** @enum {boolean} */
                                configured: true;
                                keyFingerprint: string | null;
                                username: string;
                            } | null;
                            /** @enum {string} */
                            kind: "connected_app" | "external_client_app";
                            name: string;
                            pkce: boolean;
                            requirements: {
                                objects: {
                                    access: ("read" | "write" | "create" | "edit" | "delete" | "subscribe")[];
                                    fields?: string[];
                                    name: string;
                                }[];
                            } | null;
                            scopes: string[];
                            setup: string[];
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a provider app; with ?force=true, also disconnect every connection made through it */
        delete: {
            parameters: {
                query?: {
                    force?: "true" | "false";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Deleted with ?force=true, with the connections made through it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            connectionsDeleted: number;
                            /** @enum {boolean} */
                            deleted: true;
                            id: string;
                            /** @description Connections deleted whose grant Salesforce did not confirm revoked */
                            notRevoked: {
                                connectionId: string;
                                reason: string;
                            }[];
                        };
                    };
                };
                /** @description Deleted; no connection was made through it */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a provider app */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        clientCredentials?: {
                            enabled: boolean;
                        };
                        clientId?: string;
                        clientSecret?: string;
                        jwt?: {
                            privateKey: string;
                            username: string;
                        } | null;
                        /** @enum {string} */
                        kind?: "connected_app" | "external_client_app";
                        name?: string;
                        pkce?: boolean;
                        requirements?: {
                            objects: {
                                access: ("read" | "write" | "create" | "edit" | "delete" | "subscribe")[];
                                fields?: string[];
                                name: string;
                            }[];
                        } | null;
                        scopes?: string[];
                    };
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            callbackUrl: string;
                            clientCredentialsEnabled: boolean;
                            clientId: string;
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            jwt: {
                                /** @enum {boolean} */
                                configured: true;
                                keyFingerprint: string | null;
                                username: string;
                            } | null;
                            /** @enum {string} */
                            kind: "connected_app" | "external_client_app";
                            name: string;
                            pkce: boolean;
                            requirements: {
                                objects: {
                                    access: ("read" | "write" | "create" | "edit" | "delete" | "subscribe")[];
                                    fields?: string[];
                                    name: string;
                                }[];
                            } | null;
                            scopes: string[];
                            setup: string[];
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/provider-apps/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Store the consumer secret regenerated in Salesforce */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        clientSecret: string;
                    };
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            callbackUrl: string;
                            clientCredentialsEnabled: boolean;
                            clientId: string;
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            jwt: {
                                /** @enum {boolean} */
                                configured: true;
                                keyFingerprint: string | null;
                                username: string;
                            } | null;
                            /** @enum {string} */
                            kind: "connected_app" | "external_client_app";
                            name: string;
                            pkce: boolean;
                            requirements: {
                                objects: {
                                    access: ("read" | "write" | "create" | "edit" | "delete" | "subscribe")[];
                                    fields?: string[];
                                    name: string;
                                }[];
                            } | null;
                            scopes: string[];
                            setup: string[];
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List webhook endpoints */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                /** Format: date-time */
                                createdAt: string;
                                description: string | null;
                                enabled: boolean;
                                events: string[];
                                id: string;
                                /** @description After a rotation with a grace period: until when the old secret still signs */
                                previousSecretExpiresAt: string | null;
                                /** Format: date-time */
                                updatedAt: string;
                                url: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Register a webhook endpoint */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string;
                        /** @description Event types to receive, or ["*"] for all of them, including future ones */
                        events: ("connection.created" | "connection.needs_reauth" | "connection.refresh_failed" | "connection.recovered" | "connection.checklist_failed" | "connection.deleted" | "sync.completed" | "sync.failed" | "sync.paused" | "subscription.recovered" | "subscription.paused" | "subscription.resumed" | "write.completed" | "write.failed" | "write.paused" | "*")[];
                        /** @description Where deliveries are POSTed: an http or https URL */
                        url: string;
                    };
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            description: string | null;
                            enabled: boolean;
                            events: string[];
                            id: string;
                            /** @description After a rotation with a grace period: until when the old secret still signs */
                            previousSecretExpiresAt: string | null;
                            /** @description The signing secret (whsec_…). Shown once: store it now. */
                            secret: string;
                            /** Format: date-time */
                            updatedAt: string;
                            url: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A webhook endpoint */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            description: string | null;
                            enabled: boolean;
                            events: string[];
                            id: string;
                            /** @description After a rotation with a grace period: until when the old secret still signs */
                            previousSecretExpiresAt: string | null;
                            /** Format: date-time */
                            updatedAt: string;
                            url: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a webhook endpoint */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No content */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a webhook endpoint's URL, events, description, or turn it on or off */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string | null;
                        enabled?: boolean;
                        /** @description Event types to receive, or ["*"] for all of them, including future ones */
                        events?: ("connection.created" | "connection.needs_reauth" | "connection.refresh_failed" | "connection.recovered" | "connection.checklist_failed" | "connection.deleted" | "sync.completed" | "sync.failed" | "sync.paused" | "subscription.recovered" | "subscription.paused" | "subscription.resumed" | "write.completed" | "write.failed" | "write.paused" | "*")[];
                        /** @description Where deliveries are POSTed: an http or https URL */
                        url?: string;
                    };
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            description: string | null;
                            enabled: boolean;
                            events: string[];
                            id: string;
                            /** @description After a rotation with a grace period: until when the old secret still signs */
                            previousSecretExpiresAt: string | null;
                            /** Format: date-time */
                            updatedAt: string;
                            url: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An endpoint's deliveries, newest first */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    status?: "pending" | "delivered" | "failed";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                attempts: number;
                                /** Format: date-time */
                                createdAt: string;
                                deliveredAt: string | null;
                                endpointId: string;
                                eventId: string;
                                eventType: string;
                                id: string;
                                lastAttemptAt: string | null;
                                lastError: string | null;
                                lastStatusCode: number | null;
                                /** @enum {string} */
                                status: "pending" | "delivered" | "failed";
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a delivery's event again to its endpoint, as a new delivery */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    deliveryId: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deliveryId: string;
                            redeliveryOf: string;
                            /** @enum {string} */
                            status: "pending";
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the signing secret (the new one is shown once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Keep signing with the old secret too for this long (default 0: it stops at once) */
                        previousSecretValidSeconds?: number;
                    } | null;
                };
            };
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            description: string | null;
                            enabled: boolean;
                            events: string[];
                            id: string;
                            /** @description After a rotation with a grace period: until when the old secret still signs */
                            previousSecretExpiresAt: string | null;
                            /** @description The signing secret (whsec_…). Shown once: store it now. */
                            secret: string;
                            /** Format: date-time */
                            updatedAt: string;
                            url: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a webhook.test event to this endpoint */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The request cannot be served as sent: the error says what and how to fix it */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deliveryId: string;
                            eventId: string;
                            eventType: string;
                            /** @enum {string} */
                            status: "pending";
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "connection.checklist_failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * connection.checklist_failed
         * @description The daily checklist found a check failing that passed in the run before.
         */
        post: operations["webhook:connection.checklist_failed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "connection.created": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * connection.created
         * @description A customer connected an org: the connection is active.
         */
        post: operations["webhook:connection.created"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "connection.deleted": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * connection.deleted
         * @description The connection was deleted and its tokens revoked.
         */
        post: operations["webhook:connection.deleted"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "connection.needs_reauth": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * connection.needs_reauth
         * @description The connection's refresh token was refused: the customer must connect again.
         */
        post: operations["webhook:connection.needs_reauth"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "connection.recovered": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * connection.recovered
         * @description A connection that needed attention works again.
         */
        post: operations["webhook:connection.recovered"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "connection.refresh_failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * connection.refresh_failed
         * @description A token refresh failed for a reason that may pass (Salesforce down, timeout).
         */
        post: operations["webhook:connection.refresh_failed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "subscription.paused": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * subscription.paused
         * @description A subscription cannot run (permission removed, Change Data Capture allocation full): the check that explains it is in the event.
         */
        post: operations["webhook:subscription.paused"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "subscription.recovered": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * subscription.recovered
         * @description A subscription could not trust the stream (a gap, an overflow, an unusable replay id) and read the changes by query; the reason is in the event.
         */
        post: operations["webhook:subscription.recovered"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "subscription.resumed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * subscription.resumed
         * @description A paused subscription runs again: the checks that paused it pass (a newer checklist run, or a resume asked through the API). It resumes from its checkpoint.
         */
        post: operations["webhook:subscription.resumed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "sync.completed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * sync.completed
         * @description A sync run of one object finished: counts, API calls and mode are in the event.
         */
        post: operations["webhook:sync.completed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "sync.failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * sync.failed
         * @description A sync run of one object stopped on an error it could not retry; the checkpoint is kept.
         */
        post: operations["webhook:sync.failed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "sync.paused": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * sync.paused
         * @description A sync stopped to spare the org's daily API quota; it resumes on its own.
         */
        post: operations["webhook:sync.paused"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "webhook.test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * webhook.test
         * @description Sent by POST /v1/webhooks/{id}/test to that endpoint only.
         */
        post: operations["webhook:webhook.test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "write.completed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * write.completed
         * @description A write finished: every record has a result; counts are in the event.
         */
        post: operations["webhook:write.completed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "write.failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * write.failed
         * @description A write stopped on an error it could not retry; records not yet sent stay pending.
         */
        post: operations["webhook:write.failed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "write.paused": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * write.paused
         * @description A write stopped to spare the org's daily API quota; it resumes on its own.
         */
        post: operations["webhook:write.paused"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /** @description The one error shape of every Forcelink API error */
        Error: {
            error: {
                check?: {
                    /** @description Whether the pre-install checklist verifies it (run it to confirm a fix) */
                    checklist: boolean;
                    /** @description The checklist item that explains the failure */
                    id: string;
                    reason?: string;
                    /** @description Steps for the customer's admin */
                    remedy: string[];
                    title: string;
                };
                /** @description Stable, machine-readable: not_found, invalid_request, connection_needs_reauth… */
                code: string;
                /** @description Structured details: the invalid fields, a manifest's problems… */
                details?: unknown;
                /** @description What went wrong, in words */
                message: string;
                /** @description What to do about it */
                remedy?: string;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    proxyGet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The connection's id */
                id: string;
                /** @description The Salesforce path with its query, e.g. services/data/v67.0/query?q=SELECT+Id+FROM+Account */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Salesforce's answer, passed through */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description The request cannot be served as sent: the error says what and how to fix it */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description connection_needs_reauth: the customer must connect again (with check and remedy) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    proxyPut: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The connection's id */
                id: string;
                /** @description The Salesforce path with its query, e.g. services/data/v67.0/query?q=SELECT+Id+FROM+Account */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description Salesforce's answer, passed through */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description The request cannot be served as sent: the error says what and how to fix it */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description connection_needs_reauth: the customer must connect again (with check and remedy) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    proxyPost: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The connection's id */
                id: string;
                /** @description The Salesforce path with its query, e.g. services/data/v67.0/query?q=SELECT+Id+FROM+Account */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description Salesforce's answer, passed through */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description The request cannot be served as sent: the error says what and how to fix it */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description connection_needs_reauth: the customer must connect again (with check and remedy) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    proxyDelete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The connection's id */
                id: string;
                /** @description The Salesforce path with its query, e.g. services/data/v67.0/query?q=SELECT+Id+FROM+Account */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Salesforce's answer, passed through */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description The request cannot be served as sent: the error says what and how to fix it */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description connection_needs_reauth: the customer must connect again (with check and remedy) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    proxyPatch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The connection's id */
                id: string;
                /** @description The Salesforce path with its query, e.g. services/data/v67.0/query?q=SELECT+Id+FROM+Account */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description Salesforce's answer, passed through */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description The request cannot be served as sent: the error says what and how to fix it */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Forcelink or Salesforce failed; retryable errors carry Retry-After */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description connection_needs_reauth: the customer must connect again (with check and remedy) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "webhook:connection.checklist_failed": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        connectionId: string;
                        endUserId: string;
                        failing: {
                            id: string;
                            new: boolean;
                            remedy: string[];
                            title: string;
                        }[];
                        ranAt: string;
                        runId: string;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "connection.checklist_failed";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:connection.created": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        /**
                         * @description Server-side connections
                         * @enum {string}
                         */
                        authFlow?: "client_credentials" | "jwt_bearer";
                        connectionId: string;
                        endUserId: string;
                        environment: string;
                        /** @description Connect-page connections: whether a refresh token was granted */
                        offlineAccess?: boolean;
                        orgId: string;
                        providerAppId: string;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "connection.created";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:connection.deleted": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        connectionId: string;
                        endUserId: string;
                        providerAppId: string;
                        revokeFailure: string | null;
                        tokenRevoked: boolean;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "connection.deleted";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:connection.needs_reauth": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        check: {
                            checklist: boolean;
                            id: string;
                            reason?: string;
                            remedy: string[];
                            title: string;
                        } | null;
                        connectionId: string;
                        reason: {
                            checklistItem: string | null;
                            description: string;
                            error: string;
                            reason: string | null;
                            remedy: string | null;
                        };
                        /** @description The call that makes a connect link to send the customer */
                        reconnect: {
                            body: {
                                connectionId: string;
                            };
                            /** @constant */
                            method: "POST";
                            path: string;
                        };
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "connection.needs_reauth";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:connection.recovered": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        connectionId: string;
                        endUserId?: string;
                        /** @description Refreshes failed since then, and work again */
                        failingSince?: string;
                        failures?: number;
                        /**
                         * @description The customer connected again
                         * @constant
                         */
                        via?: "reconnect";
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "connection.recovered";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:connection.refresh_failed": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        connectionId: string;
                        description: string;
                        error: string;
                        nextAttemptAt: string;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "connection.refresh_failed";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:subscription.paused": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        /** @description The checklist check that explains a pause, with its remedy */
                        check?: {
                            checklist: boolean;
                            id: string;
                            reason?: string;
                            remedy: string[];
                            title: string;
                        };
                        connectionId: string;
                        endUserId: string;
                        object: string;
                        /** @description recovered: gap, overflow or replay_id_invalid; paused: the check's reason (cdc-allocation, subscription-permissions); resumed: checks_pass */
                        reason: string;
                        /** @description Records the recovery read and delivered */
                        records?: number;
                        subscriptionId: string;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "subscription.paused";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:subscription.recovered": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        /** @description The checklist check that explains a pause, with its remedy */
                        check?: {
                            checklist: boolean;
                            id: string;
                            reason?: string;
                            remedy: string[];
                            title: string;
                        };
                        connectionId: string;
                        endUserId: string;
                        object: string;
                        /** @description recovered: gap, overflow or replay_id_invalid; paused: the check's reason (cdc-allocation, subscription-permissions); resumed: checks_pass */
                        reason: string;
                        /** @description Records the recovery read and delivered */
                        records?: number;
                        subscriptionId: string;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "subscription.recovered";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:subscription.resumed": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        /** @description The checklist check that explains a pause, with its remedy */
                        check?: {
                            checklist: boolean;
                            id: string;
                            reason?: string;
                            remedy: string[];
                            title: string;
                        };
                        connectionId: string;
                        endUserId: string;
                        object: string;
                        /** @description recovered: gap, overflow or replay_id_invalid; paused: the check's reason (cdc-allocation, subscription-permissions); resumed: checks_pass */
                        reason: string;
                        /** @description Records the recovery read and delivered */
                        records?: number;
                        subscriptionId: string;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "subscription.resumed";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:sync.completed": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        connectionId: string;
                        endUserId: string;
                        object: string;
                        run: {
                            apiCalls: number;
                            connectionId: string;
                            counts: {
                                deleted: number;
                                read: number;
                                upserted: number;
                            };
                            drift: {
                                [key: string]: unknown;
                            } | null;
                            durationMs: number | null;
                            /** @description Why the run failed or paused: code, message, check */
                            error: {
                                [key: string]: unknown;
                            } | null;
                            finishedAt: string | null;
                            id: string;
                            installationId: string;
                            /** @description How the run read the org: rest or bulk */
                            mode: string | null;
                            object: string;
                            startedAt: string;
                            /** @description queued, running, completed, failed or paused */
                            status: string;
                            /** @description schedule, manual or install */
                            trigger: string;
                            window: {
                                from: string | null;
                                to: string | null;
                            };
                        };
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "sync.completed";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:sync.failed": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        connectionId: string;
                        endUserId: string;
                        object: string;
                        run: {
                            apiCalls: number;
                            connectionId: string;
                            counts: {
                                deleted: number;
                                read: number;
                                upserted: number;
                            };
                            drift: {
                                [key: string]: unknown;
                            } | null;
                            durationMs: number | null;
                            /** @description Why the run failed or paused: code, message, check */
                            error: {
                                [key: string]: unknown;
                            } | null;
                            finishedAt: string | null;
                            id: string;
                            installationId: string;
                            /** @description How the run read the org: rest or bulk */
                            mode: string | null;
                            object: string;
                            startedAt: string;
                            /** @description queued, running, completed, failed or paused */
                            status: string;
                            /** @description schedule, manual or install */
                            trigger: string;
                            window: {
                                from: string | null;
                                to: string | null;
                            };
                        };
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "sync.failed";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:sync.paused": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        connectionId: string;
                        endUserId: string;
                        object: string;
                        run: {
                            apiCalls: number;
                            connectionId: string;
                            counts: {
                                deleted: number;
                                read: number;
                                upserted: number;
                            };
                            drift: {
                                [key: string]: unknown;
                            } | null;
                            durationMs: number | null;
                            /** @description Why the run failed or paused: code, message, check */
                            error: {
                                [key: string]: unknown;
                            } | null;
                            finishedAt: string | null;
                            id: string;
                            installationId: string;
                            /** @description How the run read the org: rest or bulk */
                            mode: string | null;
                            object: string;
                            startedAt: string;
                            /** @description queued, running, completed, failed or paused */
                            status: string;
                            /** @description schedule, manual or install */
                            trigger: string;
                            window: {
                                from: string | null;
                                to: string | null;
                            };
                        };
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "sync.paused";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:webhook.test": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        endpointId: string;
                        message: string;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "webhook.test";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:write.completed": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        apiCalls: number;
                        connectionId: string;
                        counts: {
                            failed: number;
                            /** @description Records not settled yet: total − succeeded − failed − unknown */
                            pending: number;
                            succeeded: number;
                            total: number;
                            /** @description Records whose outcome could not be known (an insert whose answer was lost) */
                            unknown: number;
                        };
                        /** @description Why the write stopped or paused */
                        error?: {
                            [key: string]: unknown;
                        };
                        object: string;
                        operation: string;
                        /** @description collections, composite or bulk */
                        path: string | null;
                        status: string;
                        writeId: string;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "write.completed";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:write.failed": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        apiCalls: number;
                        connectionId: string;
                        counts: {
                            failed: number;
                            /** @description Records not settled yet: total − succeeded − failed − unknown */
                            pending: number;
                            succeeded: number;
                            total: number;
                            /** @description Records whose outcome could not be known (an insert whose answer was lost) */
                            unknown: number;
                        };
                        /** @description Why the write stopped or paused */
                        error?: {
                            [key: string]: unknown;
                        };
                        object: string;
                        operation: string;
                        /** @description collections, composite or bulk */
                        path: string | null;
                        status: string;
                        writeId: string;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "write.failed";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "webhook:write.paused": {
        parameters: {
            query?: never;
            header: {
                /** @description This delivery's id (one per endpoint and event) */
                "Forcelink-Delivery-Id": string;
                /** @description The event's id, the same on every retry */
                "Forcelink-Event-Id": string;
                /** @description The event's type */
                "Forcelink-Event-Type": string;
                /** @description t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret) */
                "Forcelink-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    createdAt: string;
                    data: {
                        apiCalls: number;
                        connectionId: string;
                        counts: {
                            failed: number;
                            /** @description Records not settled yet: total − succeeded − failed − unknown */
                            pending: number;
                            succeeded: number;
                            total: number;
                            /** @description Records whose outcome could not be known (an insert whose answer was lost) */
                            unknown: number;
                        };
                        /** @description Why the write stopped or paused */
                        error?: {
                            [key: string]: unknown;
                        };
                        object: string;
                        operation: string;
                        /** @description collections, composite or bulk */
                        path: string | null;
                        status: string;
                        writeId: string;
                    };
                    /** @description The event's id (evt_…), the same on every retry: deduplicate on it */
                    id: string;
                    projectId: string;
                    /** @constant */
                    type: "write.paused";
                };
            };
        };
        responses: {
            /** @description Received: any 2xx ends the delivery; anything else is retried with backoff */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
