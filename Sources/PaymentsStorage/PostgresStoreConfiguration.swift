import Foundation
import PaymentsCore
import PaymentsSupport
import PostgresNIO

/// Where and how to reach PostgreSQL, usually read from a `DATABASE_URL` such as
/// `postgres://payments:secret@db.internal:5432/payments?sslmode=require`.
///
/// Printing a configuration never prints its password (see `PostgresStoreConfiguration+Description.swift`).
public struct PostgresStoreConfiguration: Sendable {
    /// The server's host name or IP address.
    public var host: String
    /// The server's TCP port.
    public var port: Int
    /// The role to log in as.
    public var username: String
    /// The role's password, if the server asks for one.
    public var password: String?
    /// The database to open; `nil` opens the one named like ``username``.
    public var database: String?
    /// Whether to insist on TLS, and how much of the server's certificate to check.
    public var tls: TLSMode
    /// Shown in `pg_stat_activity`, so operators can tell our connections from others.
    public var applicationName: String?
    /// The most connections the pool opens at once.
    public var maximumConnections: Int
    /// The longest wait for one TCP connection, so a dead server fails fast instead of holding requests.
    public var connectTimeout: Duration

    /// How the connection is encrypted.
    public enum TLSMode: String, Sendable, Hashable {
        /// Plain TCP (`sslmode` `disable`, `allow`, `prefer` or absent): for loopback and private networks.
        case disable
        /// TLS, with the certificate chain and host name verified (`sslmode=require` or `verify-full`).
        case verifyFull
        /// TLS, with the certificate chain verified but not the host name (`sslmode=verify-ca`).
        case verifyCA
    }

    /// Creates a configuration.
    public init(
        host: String, port: Int = 5432, username: String, password: String?, database: String?,
        tls: TLSMode = .disable, applicationName: String? = "payments", maximumConnections: Int = 20,
        connectTimeout: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.applicationName = applicationName
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=...` (or `postgresql://`).
    ///
    /// User, password and database may be percent-encoded. Query parameters understood: `sslmode`,
    /// `connect_timeout` (whole seconds) and `application_name`; any other is refused so a typo is not ignored.
    ///
    /// - Parameter setting: The name the error reports, such as `DATABASE_URL` or `--database-url`.
    /// - Throws: ``ConfigurationError`` naming `setting`; the reason never repeats the URL or any part of its
    ///   credentials.
    public init(url text: String, setting: String = "DATABASE_URL") throws(ConfigurationError) {
        func invalid(_ reason: String) -> ConfigurationError {
            ConfigurationError(setting: setting, reason: reason)
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { throw invalid("must be a postgres://user:password@host:port/database URL") }

        var host = components.host ?? ""
        // An IPv6 literal may come back with its brackets, which the socket layer does not accept.
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw invalid("needs a host name after the @") }

        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("port must be from 1 to 65535") }

        guard let username = components.user, !username.isEmpty else { throw invalid("needs a user name") }

        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        guard !path.contains("/") else { throw invalid("the path must be a single database name") }

        var configuration = PostgresStoreConfiguration(
            host: host, port: port, username: username, password: components.password,
            database: path.isEmpty ? nil : path
        )
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value {
                case "disable", "allow", "prefer": configuration.tls = .disable
                case "require", "verify-full": configuration.tls = .verifyFull
                case "verify-ca": configuration.tls = .verifyCA
                default: throw invalid("sslmode must be disable, allow, prefer, require, verify-ca or verify-full")
                }
            case "connect_timeout":
                guard let seconds = item.value.flatMap(Int.init), seconds > 0 else {
                    throw invalid("connect_timeout must be a whole number of seconds above 0")
                }
                configuration.connectTimeout = .seconds(seconds)
            case "application_name":
                configuration.applicationName = item.value.flatMap { $0.isEmpty ? nil : $0 }
            default:
                // Only the parameter's name is echoed: a value could be a secret pasted in the wrong place.
                throw invalid(
                    "unsupported query parameter \"\(item.name)\" (use sslmode, connect_timeout or application_name)")
            }
        }
        self = configuration
    }

    /// The `PostgresClient` configuration this describes.
    public var clientConfiguration: PostgresClient.Configuration {
        let tlsMode: PostgresClient.Configuration.TLS
        switch tls {
        case .disable:
            tlsMode = .disable
        case .verifyFull:
            tlsMode = .require(.makeClientConfiguration())
        case .verifyCA:
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.certificateVerification = .noHostnameVerification
            tlsMode = .require(tlsConfiguration)
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsMode
        )
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = connectTimeout
        // No keep-alive queries: the pool would arm and cancel a timer around every query. A connection the network
        // dropped silently fails its next query within the operation deadline and is replaced (set the server's
        // tcp_keepalives_idle where a middlebox drops idle connections). No minimum pool size either: postgres-nio's
        // pool traps when an outage leaves fewer open connections than the minimum.
        configuration.options.keepAliveBehavior = nil
        if let applicationName {
            configuration.options.additionalStartupParameters.append(("application_name", applicationName))
        }
        return configuration
    }
}
