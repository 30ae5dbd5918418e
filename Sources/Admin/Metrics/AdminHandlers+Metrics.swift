import Hummingbird
import NIOCore

extension AdminHandlers {
    /// The Prometheus text format, version 0.0.4.
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `GET /metrics`: every metric in the Prometheus text format.
    func addMetricsRoute(to router: Router<BasicRequestContext>, metrics: MetricsExporter) {
        router.get("metrics") { _, _ in
            let text = try run { try metrics.scrape(store: store) }
            return Response(
                status: .ok, headers: [.contentType: Self.metricsContentType, .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: text))
            )
        }
    }
}
