// The client's whole decode of a streamed /api/generate response, per token: Beast's response
// parser over the socket's bytes (chunked transfer encoding, one chunk per token line, as
// ollama-sim and Ollama write them), the NDJSON decoder over each chunk's data, and the
// response text assembled, exactly as body_reader::take and generation_assembler do in
// service/backend/src/streaming_call.cpp. The stream: 1,000 token lines and a final line
// whose `context` holds prompt + generated ids, as the simulator sends it. Bytes are copied
// into the flat_buffer one "socket read" at a time; state.range(0) tokens per read: 1 is a
// slow stream (one wake-up per token), 20 what read coalescing takes at 20,000 tok/s.
#include <array>
#include <cstdio>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include "alloc_count.hpp"
#include "chimera/core/llm/ndjson_stream_decoder.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using chimera::core::stream_event;

constexpr std::size_t stream_tokens = 1000;
constexpr std::size_t prompt_tokens = 500;

std::string chunk(const std::string& data) {
    std::array<char, 16> size{};
    std::snprintf(size.data(), size.size(), "%zx\r\n", data.size());
    return size.data() + data + "\r\n";
}

std::string final_line() {
    std::string context;
    for (std::size_t i = 0; i < prompt_tokens + stream_tokens; ++i) {
        if (i > 0) context += ',';
        context += std::to_string(1000 + (i * 7919) % 250000);
    }
    return R"({"model":"gemma3:latest","created_at":"2026-11-27T20:00:01.123456789Z","response":"","done":true,)"
           R"("done_reason":"stop","context":[)" +
           context +
           R"(],"total_duration":2512345678,"load_duration":12345678,"prompt_eval_count":500,)"
           R"("prompt_eval_duration":45678901,"eval_count":1000,"eval_duration":2450000000})" +
           "\n";
}

/// The response as it crosses the socket, cut into reads: the header, then reads of
/// `tokens_per_read` token chunks each, the final chunk and terminator in the last one.
std::vector<std::string> socket_reads(std::size_t tokens_per_read) {
    const std::vector<std::string> tokens = {"The", " quick", " brown",          " fox",
                                             " é",  "\\n",    " \\\"quoted\\\"", " 速度"};
    std::vector<std::string> reads{
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nDate: Fri, 27 Nov 2026 20:00:00 GMT\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"};
    std::string read;
    for (std::size_t i = 0; i < stream_tokens; ++i) {
        read += chunk(R"({"model":"gemma3:latest","created_at":"2026-11-27T20:00:00.123456789Z","response":")" +
                      tokens[i % tokens.size()] + R"(","done":false})" + "\n");
        if ((i + 1) % tokens_per_read == 0) reads.push_back(std::exchange(read, {}));
    }
    reads.push_back(read + chunk(final_line()) + "0\r\n\r\n");
    return reads;
}

/// body_reader::take and generation_assembler::consume of the service, without the socket.
class stream_decode {
public:
    stream_decode() {
        parser_.eager(true);
        parser_.body_limit(boost::none);
    }

    void read(const std::string& bytes) {
        buffer_.commit(boost::asio::buffer_copy(buffer_.prepare(bytes.size()), boost::asio::buffer(bytes)));
        if (!parser_.is_header_done()) {
            boost::system::error_code ec;
            buffer_.consume(parser_.put(buffer_.data(), ec));
            return;
        }
        take();
    }

    [[nodiscard]] bool done() const { return parser_.is_done() && done_; }
    [[nodiscard]] std::size_t tokens() const { return tokens_; }
    [[nodiscard]] const std::string& text() const { return text_; }

private:
    void take() {
        boost::system::error_code ec;
        while (buffer_.size() > 0 && !parser_.is_done() && !ec) {
            parser_.get().body().data = chunk_.data();
            parser_.get().body().size = chunk_.size();
            buffer_.consume(parser_.put(buffer_.data(), ec));
            decoder_.feed({chunk_.data(), chunk_.size() - parser_.get().body().size}, events_);
            if (ec == http::error::need_buffer) ec = {};
        }
        for (auto& event : events_) {
            if (auto* token = std::get_if<chimera::core::token_event>(&event); token && !token->text.empty()) {
                ++tokens_;
                text_ += token->text;
            }
            done_ = done_ || std::holds_alternative<chimera::core::done_event>(event);
        }
        events_.clear();
    }

    beast::flat_buffer buffer_;
    http::response_parser<http::buffer_body> parser_;
    chimera::core::ndjson_stream_decoder decoder_;
    std::vector<stream_event> events_;
    std::array<char, 16384> chunk_{};
    std::string text_;
    std::size_t tokens_ = 0;
    bool done_ = false;
};

void decode_chunked_stream(benchmark::State& state) {
    const auto reads = socket_reads(static_cast<std::size_t>(state.range(0)));
    std::size_t tokens = 0;
    const auto allocations_before = chimera::bench::allocations();
    for (auto _ : state) {
        stream_decode stream;
        for (const auto& bytes : reads) stream.read(bytes);
        if (!stream.done()) state.SkipWithError("the stream did not decode to done:true");
        tokens = stream.tokens();
        benchmark::DoNotOptimize(stream.text().data());
    }
    const auto allocations = chimera::bench::allocations() - allocations_before;
    if (tokens != stream_tokens) state.SkipWithError("a token was lost");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * tokens));
    state.counters["allocs_per_token"] =
        static_cast<double>(allocations) / static_cast<double>(state.iterations() * stream_tokens);
}

}  // namespace

BENCHMARK(decode_chunked_stream)->ArgName("tokens_per_read")->Arg(1)->Arg(20);

BENCHMARK_MAIN();
