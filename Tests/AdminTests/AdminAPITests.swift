import Admin
import Foundation
import Logging
import Provisioning
import TestHTTP
import Testing

/// The admin REST API over a real socket, driven by curl.
@Suite struct AdminAPITests {
    /// A store, a catalog kept fresh, and the admin server on a free port.
    final class Harness: Sendable {
        let directory: URL
        let store: ProvisioningStore
        let catalog = ProvisioningCatalog()
        let token = String(repeating: "t0k3n", count: 8)
        let base: String
        let task: Task<Void, any Error>

        /// - Parameter registered: The registration hook, as the daemon wires it from AMI; nil is AMI off.
        init(registered: (@Sendable (String) -> Bool?)? = nil) async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("admin-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let store = try ProvisioningStore(path: directory.appendingPathComponent("db.sqlite").path, defaultHost: "192.0.2.10")
            self.store = store
            let catalog = self.catalog
            let environment = AdminEnvironment(
                store: store, catalog: catalog, credentials: LocalAccountCredentialSource(store: store),
                reboot: { mac in .failed("test: no phone at \(mac)") }, isRegistered: registered ?? { _ in nil },
                amiState: { (registered != nil, registered != nil) }, version: "test"
            )
            var logger = Logger(label: "admin-tests")
            logger.logLevel = .critical
            let (ports, reported) = AsyncStream.makeStream(of: Int.self)
            let server = AdminServer(
                host: "127.0.0.1", port: 0, environment: environment, token: token, assets: try WebAssets.load(), logger: logger,
                onListening: { reported.yield($0) }
            )
            task = Task { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            base = "http://127.0.0.1:\(await iterator.next() ?? 0)"
        }

        deinit {
            task.cancel()
            try? FileManager.default.removeItem(at: directory)
        }

        /// An API call with the token; `body` is sent as JSON.
        func call(_ method: String, _ path: String, _ body: String? = nil, headers: [String] = []) async throws -> Curl.Response {
            var arguments = ["-X", method, "-H", "Authorization: Bearer \(token)"]
            if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
            for header in headers { arguments += ["-H", header] }
            return try await Curl.fetch(base + path, arguments)
        }

        func json(_ response: Curl.Response) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(response.body.utf8), options: [.fragmentsAllowed])
        }

        func refresh() async throws {
            let builder = SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store))
            var logger = Logger(label: "admin-tests")
            logger.logLevel = .critical
            catalog.publish(try await builder.build(logger: logger).0)
        }
    }

    func withHarness(registered: (@Sendable (String) -> Bool?)? = nil, _ body: (Harness) async throws -> Void) async throws {
        try await body(try await Harness(registered: registered))
    }

    @Test func everyRequestNeedsTheTokenInTheHeader() async throws {
        try await withHarness { h in
            let missing = try await Curl.fetch(h.base + "/api/devices")
            #expect(missing.status == 401)
            #expect(missing.body == #"{"error":"missing or wrong bearer token","field":null}"#)
            #expect(missing.headers["www-authenticate"] == "Bearer realm=\"autoprovision\"")
            let wrong = try await Curl.fetch(h.base + "/api/devices", ["-H", "Authorization: Bearer \(h.token)x"])
            #expect(wrong.status == 401)
            let basic = try await Curl.fetch(h.base + "/api/devices", ["-H", "Authorization: Basic \(h.token)"])
            #expect(basic.status == 401)
            // A write without the token changes nothing.
            let refused = try await Curl.fetch(h.base + "/api/devices", ["-X", "POST", "--data-binary", #"{"mac":"001565aabbcc"}"#])
            #expect(refused.status == 401)
            #expect(try h.store.devices().isEmpty)
            // The right token in the query string is refused too.
            let query = try await h.call("GET", "/api/devices?token=\(h.token)")
            #expect(query.status == 400 && query.body.contains("Authorization header"))
            let query2 = try await Curl.fetch(h.base + "/api/devices?access_token=\(h.token)")
            #expect(query2.status == 400)
            #expect(try await h.call("GET", "/api/devices").status == 200)
            // The page and the API description hold no data and need no token.
            let page = try await Curl.fetch(h.base + "/")
            #expect(page.status == 200 && page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
            #expect(try await Curl.fetch(h.base + "/js/main.js").status == 200)
        }
    }

    @Test func openAPIDocumentDescribesEveryRoute() async throws {
        try await withHarness { h in
            let response = try await Curl.fetch(h.base + "/openapi.json")
            #expect(response.status == 200)
            let document = try #require(try h.json(response) as? [String: Any])
            #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
            let paths = try #require(document["paths"] as? [String: Any])
            var described: Set<String> = []
            for (path, item) in paths {
                for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                    described.insert("\(method.uppercased()) \(path)")
                }
            }
            let routes = Set(AdminRouter.routes)
            #expect(routes.subtracting(described).isEmpty, "routes missing from openapi.json: \(routes.subtracting(described).sorted())")
            #expect(
                described.subtracting(routes).isEmpty, "openapi.json describes routes that do not exist: \(described.subtracting(routes).sorted())")
            // Each described route answers something other than 404-for-no-route with the token.
            for route in routes.sorted() {
                let parts = route.split(separator: " ")
                let path = String(parts[1]).replacingOccurrences(of: "{mac}", with: "001565000000")
                    .replacingOccurrences(of: "{line}", with: "1").replacingOccurrences(of: "{id}", with: "999")
                    .replacingOccurrences(of: "{extension}", with: "999")
                let answer = try await h.call(String(parts[0]), path, parts[0] == "GET" || parts[0] == "DELETE" ? nil : "{}")
                #expect(answer.body.hasPrefix("{") || answer.body.hasPrefix("[") || answer.status == 204, "\(route): \(answer.status) \(answer.body)")
                #expect(answer.status != 405, "\(route) is not routed")
            }
        }
    }

    @Test func devicesLinesKeysAndTemplatesThroughTheAPI() async throws {
        try await withHarness { h in
            #expect(
                try await h.call("POST", "/api/accounts", #"{"extension":"204","displayName":"Irina <b>","password":"S3cret-204"}"#).status == 201)
            let created = try await h.call("POST", "/api/devices", #"{"mac":"00:15:65:AA:BB:CC","extension":"204"}"#)
            #expect(created.status == 201)
            let device = try #require(try h.json(created) as? [String: Any])
            #expect(device["mac"] as? String == "00:15:65:aa:bb:cc" && device["vendor"] as? String == "yealink")
            // Absent values are null, not missing; a percent-encoded MAC in the path is understood.
            #expect(device.keys.contains("registered") && device["registered"] is NSNull && device["model"] is NSNull)
            #expect(try await h.call("GET", "/api/devices/00%3A15%3A65%3Aaa%3Abb%3Acc").status == 200)
            #expect(try await h.call("POST", "/api/devices", #"{"mac":"001565aabbcc"}"#).status == 409)
            // Keys: replaced whole, validated, and bad input changes nothing.
            let keys = try await h.call(
                "PUT", "/api/devices/001565aabbcc/keys",
                #"[{"type":"blf","value":"201","label":"<script>alert(1)</script>"},{"type":"speed","value":"*97"}]"#)
            #expect(keys.status == 200)
            let badType = try await h.call("PUT", "/api/devices/001565aabbcc/keys", #"[{"type":"park","value":"1"}]"#)
            #expect(badType.status == 400 && badType.body.contains(#""field":"[0].type""#))
            let badValue = try await h.call("PUT", "/api/devices/001565aabbcc/keys", #"[{"type":"blf","value":"2 01"}]"#)
            #expect(badValue.status == 422)
            #expect(try h.store.functionKeys(mac: MACAddress(parsing: "001565aabbcc")).map(\.value) == ["201", "*97"])
            // The hostile label is stored as given and handed back as JSON text.
            #expect(try await h.call("GET", "/api/devices/001565aabbcc/keys").body.contains(#""label":"<script>alert(1)</script>""#))
            // Lines.
            // An extension the credential source does not know is refused; a known one binds.
            let unknownExtension = try await h.call("PUT", "/api/devices/001565aabbcc/lines/2", #"{"extension":"205"}"#)
            #expect(unknownExtension.status == 422 && unknownExtension.body.contains(#""field":"extension""#))
            #expect(try await h.call("POST", "/api/devices", #"{"mac":"001565000009","extension":"999"}"#).status == 422)
            #expect(try h.store.device(mac: MACAddress(parsing: "001565000009")) == nil)
            #expect(try await h.call("POST", "/api/accounts", #"{"extension":"205"}"#).status == 201)
            #expect(try await h.call("PUT", "/api/devices/001565aabbcc/lines/2", #"{"extension":"205"}"#).status == 200)
            #expect(try await h.call("PUT", "/api/devices/001565aabbcc/lines/17", #"{"extension":"205"}"#).status == 400)
            #expect(try await h.call("DELETE", "/api/devices/001565aabbcc/lines/2").status == 200)
            #expect(try await h.call("DELETE", "/api/devices/001565aabbcc/lines/2").status == 404)
            // Templates: create, rename, preview with secrets masked, assign.
            let template = try await h.call(
                "POST", "/api/templates",
                ##"{"name":"office","vendor":"yealink","body":"#!version:1.0.0.1\naccount.1.user_name = {SIP_NUM}\naccount.1.password = {SIP_PASS}\n"}"##
            )
            #expect(template.status == 201)
            let id = try #require((try h.json(template) as? [String: Any])?["id"] as? Int)
            #expect(try await h.call("POST", "/api/templates", #"{"name":"OFFICE","vendor":"yealink","body":""}"#).status == 409)
            #expect(
                try await h.call(
                    "PUT", "/api/templates/\(id)",
                    ##"{"name":"office-2","vendor":"yealink","body":"#!version:1.0.0.1\naccount.1.user_name = {SIP_NUM}\n","isVendorDefault":false}"##
                ).status == 200)
            #expect(try h.store.template(named: "office-2")?.id == Int64(id))
            #expect(try await h.call("PATCH", "/api/devices/001565aabbcc", #"{"template":"office-2"}"#).status == 200)
            #expect(try await h.call("PATCH", "/api/devices/001565aabbcc", #"{"template":"nope"}"#).status == 404)
            try await h.refresh()
            let preview = try await h.call(
                "POST", "/api/templates/preview", #"{"vendor":"yealink","mac":"001565aabbcc","body":"a = {SIP_NUM}\nb = {SIP_PASS}\nc = {NOPE}\n"}"#)
            #expect(preview.status == 200)
            let previewBody = try #require(try h.json(preview) as? [String: Any])
            #expect((previewBody["body"] as? String)?.hasPrefix("a = 204\nb = ********\nc = {NOPE}\n") == true)
            #expect((previewBody["problems"] as? [String]) == ["unknown placeholder {NOPE} left as it is"])
            let devicePreview = try await h.call("GET", "/api/devices/001565aabbcc/preview")
            #expect(
                devicePreview.status == 200 && devicePreview.body.contains("account.1.user_name = 204") && !devicePreview.body.contains("S3cret-204"))
            #expect(try await h.call("GET", "/api/devices/001565aabbcc").body.contains(#""template":"office-2""#))
            // Unknown things are 404, malformed MACs 400.
            #expect(try await h.call("GET", "/api/devices/001565000000").status == 404)
            #expect(try await h.call("GET", "/api/devices/zz").status == 400)
            #expect(try await h.call("DELETE", "/api/templates/999").status == 404)
            #expect(try await h.call("POST", "/api/devices/001565aabbcc/reboot").status == 503)
            // The Asterisk files, with a hint for the watched extension; the guest secret only when asked for.
            let conf = try await h.call("GET", "/api/asterisk-conf?agi=127.0.0.1:4600")
            let secret = try h.store.settings().guestSecret
            #expect(conf.status == 200 && conf.body.contains("exten => 201,hint,PJSIP/201") && conf.body.contains("agi://127.0.0.1:4600/bind"))
            #expect(conf.body.contains("password=********") && !conf.body.contains(secret))
            #expect(try await h.call("GET", "/api/asterisk-conf?show-secrets=true").body.contains("password=\(secret)"))
            #expect(try await h.call("GET", "/api/asterisk-conf?agi=a%0Ab:1").status == 400)
            #expect(try await h.call("DELETE", "/api/devices/001565aabbcc").status == 204)
            #expect(try h.store.devices().isEmpty)
        }
    }

    @Test func registrationComesFromAsteriskWhenAMIIsOn() async throws {
        let isRegistered: @Sendable (String) -> Bool? = { $0 == "204" }
        try await withHarness(registered: isRegistered) { h in
            #expect(try await h.call("GET", "/api/status").body.contains(#""ami":{"connected":true,"enabled":true}"#))
            #expect(try await h.call("POST", "/api/accounts", #"{"extension":"204"}"#).status == 201)
            #expect(try await h.call("POST", "/api/accounts", #"{"extension":"205"}"#).status == 201)
            #expect(try await h.call("POST", "/api/devices", #"{"mac":"001565000001","extension":"204"}"#).status == 201)
            #expect(try await h.call("POST", "/api/devices", #"{"mac":"001565000002","extension":"205"}"#).status == 201)
            #expect(try await h.call("POST", "/api/devices", #"{"mac":"001565000003"}"#).status == 201)
            let devices = try #require(try h.json(try await h.call("GET", "/api/devices")) as? [[String: Any]])
            let registered = Dictionary(uniqueKeysWithValues: devices.map { ($0["mac"] as? String ?? "", $0["registered"]) })
            #expect(registered["00:15:65:00:00:01"] as? Bool == true)
            #expect(registered["00:15:65:00:00:02"] as? Bool == false)
            #expect(registered["00:15:65:00:00:03"] is NSNull, "an unbound phone has no account to be registered")
        }
    }

    @Test func aPhonesPrivateURLIsReadAndRotated() async throws {
        try await withHarness { h in
            #expect(try await h.call("POST", "/api/devices", #"{"mac":"001565aabbcc"}"#).status == 201)
            try await h.refresh()
            let first = try #require(try h.json(try await h.call("GET", "/api/devices/00-15-65-AA-BB-CC/url")) as? [String: String])
            let token = try h.store.token(mac: MACAddress(parsing: "001565aabbcc"))
            #expect(first["mac"] == "00:15:65:aa:bb:cc")
            #expect(first["url"]?.hasSuffix("/p/\(token)/") == true, "\(first)")
            let rotated = try await h.call("POST", "/api/devices/001565aabbcc/url/rotate")
            #expect(rotated.status == 200)
            let second = try #require(try h.json(rotated) as? [String: String])
            let newToken = try h.store.token(mac: MACAddress(parsing: "001565aabbcc"))
            #expect(newToken != token && second["url"]?.hasSuffix("/p/\(newToken)/") == true)
            #expect(try await h.call("GET", "/api/devices/001565000000/url").status == 404)
            #expect(try await h.call("POST", "/api/devices/001565000000/url/rotate").status == 404)
        }
    }

    @Test func bansAreListedAndLifted() async throws {
        try await withHarness { h in
            let until = Date().addingTimeInterval(600)
            try h.store.recordBans([BanList.Ban(address: "2001:db8::9", until: until, failures: 10, seconds: 600)])
            let listed = try #require(try h.json(try await h.call("GET", "/api/bans")) as? [[String: Any]])
            #expect(listed.count == 1 && listed.first?["address"] as? String == "2001:db8::9" && listed.first?["failures"] as? Int == 10)
            #expect(try await h.call("DELETE", "/api/bans/2001:db8::9").status == 204)
            #expect(try h.store.bans().isEmpty)
            #expect(try await h.call("DELETE", "/api/bans/2001:db8::9").status == 404)
            #expect(try await h.call("GET", "/api/bans").body == "[]")
        }
    }

    @Test func badBodiesGetClearErrorsAndChangeNothing() async throws {
        try await withHarness { h in
            let before = try h.store.revision()
            let malformed = try await h.call("POST", "/api/devices", #"{"mac": "#)
            #expect(malformed.status == 400 && malformed.body.contains("not valid JSON"))
            let wrongType = try await h.call("POST", "/api/devices", #"{"mac": 12}"#)
            #expect(wrongType.status == 400 && wrongType.body == #"{"error":"mac must be a string","field":"mac"}"#)
            let missing = try await h.call("POST", "/api/accounts", #"{"displayName":"x"}"#)
            #expect(missing.status == 400 && missing.body.contains(#""field":"extension""#))
            let badMAC = try await h.call("POST", "/api/devices", #"{"mac":"<img src=x>"}"#)
            #expect(badMAC.status == 422 && badMAC.body.contains(#""field":"mac""#))
            let badVendor = try await h.call("POST", "/api/devices", #"{"mac":"001565aabbcc","vendor":"cisco"}"#)
            #expect(badVendor.status == 422 && badVendor.body.contains(#""field":"vendor""#))
            let unknownSetting = try await h.call("PATCH", "/api/settings", #"{"pbx-host":"10.0.0.1","colour":"red"}"#)
            #expect(unknownSetting.status == 422 && unknownSetting.body.contains(#""field":"colour""#))
            let badSetting = try await h.call("PATCH", "/api/settings", #"{"pbx-host":"10.0.0.1","sip-port":"0"}"#)
            #expect(badSetting.status == 422 && badSetting.body.contains(#""field":"sip-port""#))
            #expect(try h.store.settings().pbxHost == "192.0.2.10", "a refused PATCH wrote part of its settings")
            // Bodies over 1 MB, and templates over 256 KB.
            let huge = "{\"name\":\"" + String(repeating: "a", count: 1_100_000) + "\"}"
            let file = h.directory.appendingPathComponent("huge.json")
            try Data(huge.utf8).write(to: file)
            let tooBig = try await Curl.fetch(
                h.base + "/api/templates", ["-X", "POST", "-H", "Authorization: Bearer \(h.token)", "--data-binary", "@\(file.path)"])
            #expect(tooBig.status == 413 && tooBig.body == #"{"error":"the body is over 1024 KB","field":null}"#)
            let noRoute = try await h.call("GET", "/api/nothing-here")
            #expect(noRoute.status == 404 && noRoute.body.contains(#""error":"no such resource: GET /api/nothing-here""#))
            let bigTemplate = "{\"name\":\"big\",\"vendor\":\"yealink\",\"body\":\"" + String(repeating: "a", count: 300_000) + "\"}"
            try Data(bigTemplate.utf8).write(to: file)
            let tooBigTemplate = try await Curl.fetch(
                h.base + "/api/templates", ["-X", "POST", "-H", "Authorization: Bearer \(h.token)", "--data-binary", "@\(file.path)"])
            #expect(tooBigTemplate.status == 413 && tooBigTemplate.body.contains("256 KB"))
            #expect(try await h.call("POST", "/api/uri-mappings", #"{"path":"../etc/passwd","template":"x"}"#).status == 422)
            #expect(try await h.call("POST", "/api/phonebook/sources", #"{"url":"javascript:alert(1)"}"#).status == 422)
            #expect(try await h.call("GET", "/api/audit?limit=0").status == 400)
            #expect(try h.store.revision() == before, "a refused request changed the store")
        }
    }

    @Test func firmwareUploadIsStreamedAndADroppedUploadLeavesNothing() async throws {
        try await withHarness { h in
            let file = h.directory.appendingPathComponent("T46S.rom")
            var bytes = [UInt8](repeating: 0, count: 300_000)
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
            try Data(bytes).write(to: file)
            let upload = try await Curl.fetch(
                h.base + "/api/firmware?vendor=yealink&model=T46S&version=66.86&filename=T46S-66.86.rom",
                [
                    "-X", "POST", "-H", "Authorization: Bearer \(h.token)", "-H", "Content-Type: application/octet-stream", "--data-binary",
                    "@\(file.path)",
                ]
            )
            #expect(upload.status == 201, "\(upload.body)")
            let record = try #require(try FirmwareRepository(store: h.store).list().first)
            #expect(record.size == 300_000 && record.model == "T46S")
            #expect(try Data(contentsOf: FirmwareRepository(store: h.store).fileURL(record)) == Data(bytes))
            // Wrong extension, duplicate, empty, missing name: refused.
            let wrong = try await Curl.fetch(
                h.base + "/api/firmware?vendor=snom&filename=x.rom",
                ["-X", "POST", "-H", "Authorization: Bearer \(h.token)", "--data-binary", "@\(file.path)"])
            #expect(wrong.status == 422)
            let duplicate = try await Curl.fetch(
                h.base + "/api/firmware?vendor=yealink&model=t46s&filename=y.rom",
                ["-X", "POST", "-H", "Authorization: Bearer \(h.token)", "--data-binary", "@\(file.path)"])
            #expect(duplicate.status == 409)
            let empty = try await h.call("POST", "/api/firmware?vendor=htek&filename=e.rom", "")
            #expect(empty.status == 422)
            #expect(try await h.call("POST", "/api/firmware?vendor=htek", "x").status == 400)
            let spaced = try await h.call("POST", "/api/firmware?vendor=htek&filename=a%20b.rom", "x")
            #expect(spaced.status == 422 && spaced.body.contains("plain file name"))
            // Form-style query values: '+' is a space, '%2B' a plus.
            let noted = try await h.call("POST", "/api/firmware?vendor=htek&filename=n%2B1.rom&notes=lab+test%2B1", "x")
            #expect(noted.status == 201 && noted.body.contains(#""notes":"lab test+1""#) && noted.body.contains(#""fileName":"n+1.rom""#))
            let notedID = try #require((try h.json(noted) as? [String: Any])?["id"] as? Int)
            #expect(try await h.call("DELETE", "/api/firmware/\(notedID)").status == 204)
            // Over 80 MB announced: refused before the bytes.
            let announced = try await h.call("POST", "/api/firmware?vendor=htek&filename=big.rom", nil, headers: ["Content-Length: 90000000"])
            #expect(announced.status == 413)
            // A connection that drops mid-upload leaves neither a file nor a row.
            let port = Int(h.base.split(separator: ":").last!)!
            try await Curl.offPool {
                let socket = try TCPClient(port: port)
                try socket.send(
                    "POST /api/firmware?vendor=fanvil&filename=drop.z HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(h.token)\r\nContent-Length: 1000000\r\n\r\n"
                        + String(repeating: "z", count: 50_000)
                )
                socket.close()
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try FirmwareRepository(store: h.store).list().count == 1)
            let kept = try FileManager.default.contentsOfDirectory(atPath: FirmwareRepository(store: h.store).directory.path)
            #expect(kept == ["\(record.id!)-\(record.sha256)"], "leftovers: \(kept)")
            // A client that asks before sending (Expect: 100-continue, as curl does over 1 MB) is told to go on
            // at once, not left to wait out its one-second timeout.
            let asked = ContinuousClock.now
            let expecting = try await Curl.fetch(
                h.base + "/api/firmware?vendor=snom&filename=asked.bin",
                [
                    "-X", "POST", "-H", "Authorization: Bearer \(h.token)", "-H", "Expect: 100-continue", "--expect100-timeout", "5", "--data-binary",
                    "@\(file.path)",
                ]
            )
            #expect(expecting.status == 201)
            #expect(ContinuousClock.now - asked < .seconds(3), "the upload waited for a 100 Continue that never came")
            let askedID = try #require((try h.json(expecting) as? [String: Any])?["id"] as? Int)
            #expect(try await h.call("DELETE", "/api/firmware/\(askedID)").status == 204)
            // Replacing the file keeps the row.
            let replacement = h.directory.appendingPathComponent("T46S-2.rom")
            try Data(repeating: 3, count: 1000).write(to: replacement)
            let replaced = try await Curl.fetch(
                h.base + "/api/firmware/\(record.id!)/file?filename=T46S-66.87.rom",
                ["-X", "PUT", "-H", "Authorization: Bearer \(h.token)", "--data-binary", "@\(replacement.path)"]
            )
            #expect(replaced.status == 200 && replaced.body.contains(#""fileName":"T46S-66.87.rom""#) && replaced.body.contains(#""size":1000"#))
            #expect(try await h.call("DELETE", "/api/firmware/\(record.id!)").status == 204)
            #expect(try FirmwareRepository(store: h.store).list().isEmpty)
        }
    }

    @Test func firmwareRowsAreChangedInPlace() async throws {
        try await withHarness { h in
            func object(_ response: Curl.Response) throws -> [String: Any] { try #require(try h.json(response) as? [String: Any]) }
            let wide = try object(try await h.call("POST", "/api/firmware?vendor=fanvil&filename=all.z&version=1", "0123456789"))
            let id = try #require(wide["id"] as? Int)
            #expect(try await h.call("POST", "/api/firmware?vendor=fanvil&model=X4&filename=x4.z", "0123456789").status == 201)
            #expect(try await h.call("POST", "/api/devices", #"{"mac":"0c383e2cd782","model":"X6U-Pro"}"#).status == 201)
            var revision = try h.store.revision()
            // The row takes the model as the vendor writes it; the answer is the row as the list shows it.
            let changed = try await h.call("PATCH", "/api/firmware/\(id)", #"{"model":" X6U Pro ","version":"0.0.10"}"#)
            #expect(changed.status == 200, "\(changed.body)")
            let row = try object(changed)
            let listed = try #require((try h.json(try await h.call("GET", "/api/firmware")) as? [[String: Any]])?.first { $0["id"] as? Int == id })
            #expect(NSDictionary(dictionary: row).isEqual(to: listed))
            #expect(row["model"] as? String == "X6U Pro" && row["version"] as? String == "0.0.10" && row["notes"] as? String == "")
            #expect(row["fileName"] as? String == "all.z" && row["url"] as? String == "http://192.0.2.10:8480/firmware/\(id)/all.z")
            #expect(try h.store.revision() > revision)
            // The phone, whose model was typed another way, now gets this row.
            try await h.refresh()
            let preview = try await h.call("GET", "/api/devices/0c383e2cd782/preview")
            #expect(preview.status == 200 && preview.body.contains("/firmware/\(id)/all.z"), "\(preview.body)")
            // Absent fields are left as they are.
            let noted = try object(try await h.call("PATCH", "/api/firmware/\(id)", #"{"notes":"lab"}"#))
            #expect(noted["model"] as? String == "X6U Pro" && noted["version"] as? String == "0.0.10" && noted["notes"] as? String == "lab")
            revision = try h.store.revision()
            // Refused, naming the field, and nothing written.
            let refusals: [(String, String, Int, String?)] = [
                ("/api/firmware/999", #"{"version":"2"}"#, 404, #"{"error":"no firmware with id 999","field":"id"}"#),
                ("/api/firmware/abc", #"{"version":"2"}"#, 400, #"{"error":"'abc' is not an id","field":"id"}"#),
                ("/api/firmware/\(id)", #"{"version":5}"#, 400, #"{"error":"version must be a string","field":"version"}"#),
                ("/api/firmware/\(id)", #"{"version": "#, 400, #"{"error":"the body is not valid JSON","field":null}"#),
                ("/api/firmware/\(id)", #"{"notes":"two\nlines"}"#, 422, #"{"error":"notes must be at most 256 bytes on one line","field":"notes"}"#),
                ("/api/firmware/\(id)", #"{"version":"3","model":"X6U\u0001Pro"}"#, 422, nil),
                (
                    "/api/firmware/\(id)", #"{"version":"3","model":"x4"}"#, 409,
                    #"{"error":"a Fanvil firmware for x4 exists already; remove it or replace its file","field":"model"}"#
                ),
            ]
            for (path, body, status, expected) in refusals {
                let answer = try await h.call("PATCH", path, body)
                #expect(answer.status == status, "\(path) \(body): \(answer.body)")
                if let expected { #expect(answer.body == expected) } else { #expect(answer.body.contains(#""field":"model""#), "\(answer.body)") }
            }
            #expect(try h.store.revision() == revision, "a refused PATCH changed the store")
            // An empty model makes it the vendor-wide row again.
            #expect(try object(try await h.call("PATCH", "/api/firmware/\(id)", #"{"model":""}"#))["model"] as? String == "")
        }
    }

    /// What `device set` changes: vendor, model and template together, or nothing.
    @Test func aDevicePatchIsAllOrNothing() async throws {
        try await withHarness { h in
            func object(_ response: Curl.Response) throws -> [String: Any] { try #require(try h.json(response) as? [String: Any]) }
            for (name, vendor) in [("desk", "yealink"), ("fan", "fanvil")] {
                #expect(try await h.call("POST", "/api/templates", #"{"name":"\#(name)","vendor":"\#(vendor)","body":""}"#).status == 201)
            }
            #expect(try await h.call("POST", "/api/devices", #"{"mac":"001565aabbcc","template":"desk"}"#).status == 201)
            let moved = try object(try await h.call("PATCH", "/api/devices/001565aabbcc", #"{"vendor":"fanvil","template":"fan","model":"X6U Pro"}"#))
            #expect(moved["vendor"] as? String == "fanvil" && moved["template"] as? String == "fan" && moved["model"] as? String == "X6U Pro")
            let misfit = try await h.call("PATCH", "/api/devices/001565aabbcc", #"{"vendor":"yealink"}"#)
            #expect(misfit.status == 409 && misfit.body.contains(#""field":"vendor""#))
            let otherVendor = try await h.call("PATCH", "/api/devices/001565aabbcc", #"{"model":"X4","template":"desk"}"#)
            #expect(otherVendor.status == 422 && otherVendor.body.contains(#""field":"template""#))
            let badModel = try await h.call("PATCH", "/api/devices/001565aabbcc", #"{"model":"X4\u0001"}"#)
            #expect(badModel.status == 422 && badModel.body.contains(#""field":"model""#))
            let device = try object(try await h.call("GET", "/api/devices/001565aabbcc"))
            #expect(device["vendor"] as? String == "fanvil" && device["template"] as? String == "fan" && device["model"] as? String == "X6U Pro")
        }
    }
}
