#include "lm/tokenizer/json_reader.h"

#include <algorithm>
#include <optional>
#include <set>

#include "common/error.h"

namespace ps::tokenizer {

namespace {

using nlohmann::json;

// The SAX handler. Frames track where the parser is in the part of the document the loader
// streams (top level -> model -> vocab / merges -> one merge pair); anything else is built as
// a DOM value under root[key] or model[key]. A handler method returning false stops the parse.
class Handler : public json::json_sax_t {
 public:
  explicit Handler(TokenizerJson& out) : out_(out) {}

  std::optional<std::string> error;  // a structural error (the parse stopped)

  bool null() override { return value(json(nullptr)); }
  bool boolean(bool v) override { return value(json(v)); }
  bool number_integer(number_integer_t v) override { return integer(v, json(v)); }
  bool number_unsigned(number_unsigned_t v) override {
    return v > static_cast<number_unsigned_t>(INT64_MAX) ? value(json(v)) : integer(static_cast<int64_t>(v), json(v));
  }
  bool number_float(number_float_t v, const string_t&) override { return value(json(v)); }
  bool binary(binary_t&) override { return fail("binary values are not JSON"); }

  bool string(string_t& s) override {
    if (dom_.empty()) {
      switch (frames_.empty() ? Frame::Root : frames_.back().kind) {
        case Frame::Merges: {
          const std::string f = merge_field();
          const size_t sp = s.find(' ');
          if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
            return fail("field " + f + ": expected \"left right\", got \"" + s + "\"");
          out_.merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
          return true;
        }
        case Frame::Pair: {
          Frame& p = frames_.back();
          if (p.parts == 2) return fail("field " + merge_field(out_.merges.size() - 1) + ": expected a pair of strings");
          (p.parts == 0 ? out_.merges.back().first : out_.merges.back().second) = s;
          ++p.parts;
          return true;
        }
        default:
          break;
      }
    }
    return value(json(std::move(s)));
  }

  bool start_object(std::size_t) override {
    if (!enter()) return false;
    if (!dom_.empty()) return open(json::object());
    if (frames_.empty()) {
      if (started_) return fail("unexpected second top-level value");
      started_ = true;
      frames_.push_back({Frame::Root});
      return true;
    }
    switch (frames_.back().kind) {
      case Frame::Root:
        if (key_ == "model") {
          out_.have_model = true;
          frames_.push_back({Frame::Model});
          return true;
        }
        break;
      case Frame::Model:
        if (key_ == "vocab") {
          out_.have_vocab = true;
          frames_.push_back({Frame::Vocab});
          return true;
        }
        if (key_ == "merges") return fail("field model.merges: expected an array");
        break;
      case Frame::Vocab:
        return fail("field model.vocab[\"" + key_ + "\"]: expected an integer");
      case Frame::Merges:
        return fail("field " + merge_field() + ": expected an array");
      case Frame::Pair:
        return fail("field " + merge_field(out_.merges.size() - 1) + ": expected a pair of strings");
    }
    return open(json::object());
  }

  bool end_object() override {
    --depth_;
    if (!dom_.empty()) {
      dom_.pop_back();
      return true;
    }
    frames_.pop_back();
    return true;
  }

  bool start_array(std::size_t) override {
    if (!enter()) return false;
    if (!dom_.empty()) return open(json::array());
    if (frames_.empty()) {
      started_ = true;
      return fail("field (top level): expected an object");
    }
    switch (frames_.back().kind) {
      case Frame::Root:
        if (key_ == "model") return fail("field model: expected an object");
        break;
      case Frame::Model:
        if (key_ == "merges") {
          out_.have_merges = true;
          frames_.push_back({Frame::Merges});
          return true;
        }
        if (key_ == "vocab") return fail("field model.vocab: expected an object");
        break;
      case Frame::Vocab:
        return fail("field model.vocab[\"" + key_ + "\"]: expected an integer");
      case Frame::Merges:
        out_.merges.emplace_back();
        frames_.push_back({Frame::Pair});
        return true;
      case Frame::Pair:
        return fail("field " + merge_field(out_.merges.size() - 1) + ": expected a pair of strings");
    }
    return open(json::array());
  }

  bool end_array() override {
    --depth_;
    if (!dom_.empty()) {
      dom_.pop_back();
      return true;
    }
    if (frames_.back().kind == Frame::Pair && frames_.back().parts != 2)
      return fail("field " + merge_field(out_.merges.size() - 1) + ": expected a pair of strings");
    frames_.pop_back();
    return true;
  }

  // A key repeated in one object is refused (nlohmann_json, like Python's json, would keep the
  // later value silently). Vocab keys are checked by the loader (it names both ids).
  bool key(string_t& k) override {
    if (!dom_.empty()) {
      if (dom_.back()->is_object() && dom_.back()->contains(k))
        return fail("malformed JSON: key '" + k + "' appears twice in one object");
      dom_key_ = k;
      return true;
    }
    const Frame::Kind kind = frames_.empty() ? Frame::Root : frames_.back().kind;
    if (kind == Frame::Root || kind == Frame::Model) {
      std::set<std::string>& seen = kind == Frame::Root ? root_keys_ : model_keys_;
      if (!seen.insert(k).second)
        return fail("field " + (kind == Frame::Root ? k : "model." + k) + ": appears twice in the top-level " +
                    (kind == Frame::Root ? "object" : "model object"));
    }
    key_ = k;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    syntax_position = position;
    syntax_message = e.what();
    return false;
  }

  std::size_t syntax_position = 0;
  std::string syntax_message;

 private:
  struct Frame {
    enum Kind { Root, Model, Vocab, Merges, Pair } kind;
    int parts = 0;  // Pair: strings read so far
  };

  std::string merge_field(size_t index) const { return "model.merges[" + std::to_string(index) + "]"; }
  std::string merge_field() const { return merge_field(out_.merges.size()); }

  bool fail(const std::string& message) {
    if (!error) error = message;
    return false;
  }

  bool enter() {
    if (++depth_ > kMaxJsonDepth)
      return fail("malformed JSON: values nest deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    return true;
  }

  bool integer(int64_t v, json j) {
    if (dom_.empty() && !frames_.empty() && frames_.back().kind == Frame::Vocab) {
      out_.vocab.emplace_back(key_, v);
      return true;
    }
    return value(std::move(j));
  }

  // A scalar value: streamed-part checks, or stored in the DOM.
  bool value(json v) {
    if (dom_.empty()) {
      if (frames_.empty()) {
        started_ = true;
        return fail("field (top level): expected an object");
      }
      switch (frames_.back().kind) {
        case Frame::Root:
          if (key_ == "model") return fail("field model: expected an object");
          break;
        case Frame::Model:
          if (key_ == "vocab") return fail("field model.vocab: expected an object");
          if (key_ == "merges") return fail("field model.merges: expected an array");
          break;
        case Frame::Vocab:
          return fail("field model.vocab[\"" + key_ + "\"]: expected an integer");
        case Frame::Merges:
          return fail("field " + merge_field() + ": expected an array");
        case Frame::Pair:
          return fail("field " + merge_field(out_.merges.size() - 1) + ": expected a pair of strings");
      }
    }
    place(std::move(v));
    return true;
  }

  // Puts v where the parser is: a member of root / model, or into the open DOM container.
  json* place(json v) {
    if (dom_.empty()) {
      json& target = frames_.back().kind == Frame::Root ? out_.root[key_] : out_.model[key_];
      target = std::move(v);
      return &target;
    }
    json& parent = *dom_.back();
    if (parent.is_object()) {
      json& slot = parent[dom_key_];
      slot = std::move(v);
      return &slot;
    }
    parent.push_back(std::move(v));
    return &parent.back();
  }

  bool open(json container) {
    dom_.push_back(place(std::move(container)));
    return true;
  }

  TokenizerJson& out_;
  std::vector<Frame> frames_;
  std::vector<json*> dom_;  // open DOM containers (pointers stay valid: only the last is appended to)
  std::string key_, dom_key_;
  std::set<std::string> root_keys_, model_keys_;  // keys seen in the top-level and model objects
  int depth_ = 0;
  bool started_ = false;
};

}  // namespace

TokenizerJson read_tokenizer_json(std::string_view text, const std::string& source) {
  TokenizerJson out;
  // Each vocab entry or merge takes at least ~8 bytes of JSON; Qwen3 has 151k of each.
  out.vocab.reserve(std::min<size_t>(text.size() / 64, 1 << 18));
  out.merges.reserve(std::min<size_t>(text.size() / 64, 1 << 18));
  Handler h(out);
  const bool ok = json::sax_parse(text.begin(), text.end(), &h, json::input_format_t::json, true);
  if (ok) return out;
  if (h.error) throw Error(where(source, 0, *h.error));
  // A syntax error: the line from the parser's byte offset (1-based, pointing past the bad token).
  const size_t at = std::min(h.syntax_position > 0 ? h.syntax_position - 1 : 0, text.size());
  const long line = 1 + static_cast<long>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  std::string msg = h.syntax_message;
  if (auto p = msg.find("] "); msg.rfind("[json.exception", 0) == 0 && p != std::string::npos) msg = msg.substr(p + 2);
  throw Error(where(source, line, "malformed JSON: " + msg));
}

}  // namespace ps::tokenizer
