// Budget forcing (ttc/budget_forcing.h): tau selection, the round cap, the thinking budget and its
// forced answers, token accounting per round, the selective wrapper and the sweep, on scripted
// completions; then over a tiny model through the LM sampler, where the continuation must equal
// generation from scratch on the kept reasoning + cue and must not pass the kept prefix again.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "common/error.h"
#include "lm/config.h"
#include "lm/generate.h"
#include "lm/model.h"
#include "ttc/budget_forcing.h"
#include "ttc/greedy.h"
#include "ttc/lm_sampler.h"
#include "ttc/selective.h"
#include "ttc/sweep.h"

using namespace ps;
using namespace ps::ttc;

namespace {

std::string ans(bool de, double c) { return "</think>\n" + prompt::format_answer(de, c); }

// A scripted sampler with budget forcing's modes. Per item: the greedy completion (round 0) and the
// continuations handed out in order, each {new reasoning + "</think>" + answer, generated tokens,
// thinking tokens}. A continuation's text is built as the LM sampler builds it: the kept reasoning
// (the current response before its "</think>"), the cue (or "</think>\n" forced), the new text.
struct Step {
  std::string text;
  int64_t tokens, thinking;
};
struct BfScript {
  std::vector<Completion> greedy;
  std::vector<std::vector<Step>> next;
  std::map<size_t, std::string> response;  // kept sequences: item -> current response
  std::map<size_t, size_t> used;
  std::vector<std::pair<std::vector<size_t>, SampleRequest>> calls;
  Sampler sampler() {
    return [this](const std::vector<size_t>& items, const SampleRequest& req) {
      calls.push_back({items, req});
      std::vector<std::vector<Completion>> out;
      if (req.mode == SampleRequest::Mode::Release) {
        response.clear();
        return out;
      }
      if (req.mode == SampleRequest::Mode::Keep) response.clear();
      for (size_t n = 0; n < items.size(); ++n) {
        const size_t i = items[n];
        if (req.mode != SampleRequest::Mode::Continue) {
          out.push_back({greedy.at(i)});
          if (req.mode == SampleRequest::Mode::Keep) response[i] = greedy.at(i).text;
          continue;
        }
        if (!response.count(i)) throw Error("item not kept");
        const std::string& r = response[i];
        Completion c;
        c.prefix = r.substr(0, r.find("</think>"));
        const Continuation& k = req.cont.at(n);
        const Step& s = next.at(i).at(used[i]++);
        c.text = c.prefix + (k.force_answer ? "</think>\n" : k.cue) + s.text;
        c.tokens = s.tokens;
        c.thinking_tokens = s.thinking;
        c.finish_reason = "stop_id";
        response[i] = c.text;
        out.push_back({c});
      }
      return out;
    };
  }
  std::vector<std::pair<std::vector<size_t>, SampleRequest>> of(SampleRequest::Mode m) const {
    std::vector<std::pair<std::vector<size_t>, SampleRequest>> v;
    for (const auto& c : calls)
      if (c.second.mode == m) v.push_back(c);
    return v;
  }
};

Completion first(const std::string& reasoning, bool de, double c, int64_t tokens, int64_t thinking) {
  Completion x;
  x.text = "<think>" + reasoning + ans(de, c);
  x.tokens = tokens;
  x.thinking_tokens = thinking;
  x.finish_reason = "stop_id";
  return x;
}

BudgetForcingConfig cfg(double tau, int64_t rounds, int64_t budget) {
  BudgetForcingConfig c;
  c.tau = tau;
  c.max_rounds = rounds;
  c.thinking_token_budget = budget;
  return c;
}

// Items: 0 sure at once (0.95); 1 unsure three times (0.6, 0.7, 0.8); 2 sure after one wait (0.5, 0.92);
// 3 unparsed first, then 0.85 and 0.99.
BfScript four_items() {
  BfScript s;
  s.greedy = {first("A0", true, 0.95, 20, 12), first("B0", false, 0.6, 21, 13), first("C0", true, 0.5, 22, 14),
              {"<think>D0 and on", 30, "length", 30}};
  s.next = {{},
            {{" B1" + ans(false, 0.7), 15, 9}, {" B2" + ans(true, 0.8), 16, 10}},
            {{" C1" + ans(false, 0.92), 17, 11}},
            {{" D1" + ans(true, 0.85), 18, 12}, {" D2" + ans(true, 0.99), 19, 13}}};
  return s;
}

}  // namespace

TEST(BudgetForcing, ContinuesOnlyBelowTauUpToTheRoundCap) {
  BfScript s = four_items();
  auto out = BudgetForcing(cfg(0.9, 2, 1000)).run({0, 1, 2, 3}, s.sampler());
  ASSERT_EQ(out.size(), 4u);
  // One keep request (the greedy pass of all), round 1 for the three below 0.9, round 2 for 1 and 3.
  ASSERT_EQ(s.of(SampleRequest::Mode::Keep).size(), 1u);
  auto cont = s.of(SampleRequest::Mode::Continue);
  ASSERT_EQ(cont.size(), 2u);
  EXPECT_EQ(cont[0].first, std::vector<size_t>({1, 2, 3}));
  EXPECT_EQ(cont[0].second.round, 1);
  EXPECT_EQ(cont[1].first, std::vector<size_t>({1, 3}));
  EXPECT_EQ(s.of(SampleRequest::Mode::Release).size(), 1u);
  for (const auto& c : cont[0].second.cont) {
    EXPECT_FALSE(c.force_answer);
    EXPECT_EQ(c.cue, "Wait,");
  }
  // Item 0: the greedy answer alone.
  EXPECT_EQ(out[0].rounds.size(), 1u);
  EXPECT_NEAR(out[0].p_de, 0.95, 1e-12);
  // Item 1: the cap ends it still unsure; the last round's answer (DE, 0.8) is final.
  ASSERT_EQ(out[1].rounds.size(), 3u);
  EXPECT_EQ(out[1].rounds[0].kind, "greedy");
  EXPECT_EQ(out[1].rounds[1].kind, "wait");
  EXPECT_EQ(out[1].rounds[2].kind, "wait");
  EXPECT_TRUE(out[1].answer.de);
  EXPECT_NEAR(out[1].p_de, 0.8, 1e-12);
  // Item 2: sure after one wait (not DE, 0.92).
  ASSERT_EQ(out[2].rounds.size(), 2u);
  EXPECT_NEAR(out[2].p_de, 0.08, 1e-12);
  // Item 3: unparsed (confidence 0) then 0.85 < 0.9, then 0.99.
  ASSERT_EQ(out[3].rounds.size(), 3u);
  EXPECT_FALSE(out[3].rounds[0].parsed[0].ok());
  EXPECT_NEAR(out[3].p_de, 0.99, 1e-12);
  // Every continued round's text starts with the original reasoning (and the one before it).
  EXPECT_EQ(out[1].rounds[1].completions[0].text.rfind("<think>B0Wait, B1</think>", 0), 0u);
  EXPECT_EQ(out[1].rounds[2].completions[0].text.rfind("<think>B0Wait, B1Wait, B2</think>", 0), 0u);
  EXPECT_EQ(out[1].rounds[2].completions[0].prefix, "<think>B0Wait, B1");
  EXPECT_EQ(out[3].rounds[1].completions[0].text.rfind("<think>D0 and onWait, D1</think>", 0), 0u);
  // tau 0: nothing continues; a tau outside [0, 1] or a bad config is refused.
  BfScript s0 = four_items();
  auto g = BudgetForcing(cfg(0.0, 2, 1000)).run({0, 1, 2, 3}, s0.sampler());
  EXPECT_TRUE(s0.of(SampleRequest::Mode::Continue).empty());
  for (const auto& o : g) EXPECT_EQ(o.rounds.size(), 1u);
  EXPECT_THROW(BudgetForcing(cfg(1.2, 2, 10)), Error);
  EXPECT_THROW(BudgetForcing(cfg(NAN, 2, 10)), Error);
  EXPECT_THROW(BudgetForcing(cfg(0.5, 0, 10)), Error);
  EXPECT_THROW(BudgetForcing(cfg(0.5, 2, 0)), Error);
  BudgetForcingConfig bad = cfg(0.5, 1, 10);
  bad.cue = "";
  EXPECT_THROW(BudgetForcing{bad}, Error);
  bad = cfg(0.5, 1, 10);
  bad.group_size = 0;
  EXPECT_THROW(BudgetForcing{bad}, Error);
}

TEST(BudgetForcing, TokenAccountingPerRound) {
  BfScript s = four_items();
  auto out = BudgetForcing(cfg(0.9, 2, 1000)).run({0, 1, 2, 3}, s.sampler());
  EXPECT_EQ(out[0].round_tokens(), std::vector<int64_t>({20}));
  EXPECT_EQ(out[1].round_tokens(), std::vector<int64_t>({21, 15, 16}));
  EXPECT_EQ(out[1].total_tokens(), 52);
  EXPECT_EQ(out[2].total_tokens(), 22 + 17);
  EXPECT_EQ(out[3].total_tokens(), 30 + 18 + 19);
  auto j = out[1].to_json();
  EXPECT_EQ(j["tokens_per_round"], nlohmann::json({21, 15, 16}));
  EXPECT_EQ(j["thinking_tokens_per_round"], nlohmann::json({13, 9, 10}));
  EXPECT_EQ(j["total_tokens"], 52);
  EXPECT_EQ(j["rounds"][1]["kind"], "wait");
  EXPECT_EQ(j["rounds"][1]["completions"][0]["forced"], false);
  EXPECT_TRUE(j["rounds"][0]["completions"][0].contains("thinking_tokens"));
  EXPECT_FALSE(j["rounds"][0]["completions"][0].contains("forced"));
}

TEST(BudgetForcing, TheThinkingBudgetLimitsEachRoundAndForcesTheAnswer) {
  // Budget 40. Item 0: 12 thinking tokens in round 0 -> round 1 may think 28; it thinks 25 -> round 2
  // gets the last 3. Item 1: round 0 never closed its thinking and used 45 >= 40 -> the answer is
  // forced at once. Item 2: closed, unsure, 40 used -> its answer stays, no round.
  BfScript s;
  s.greedy = {first("A0", true, 0.6, 20, 12), {"<think>long", 45, "length", 45}, first("C0", true, 0.55, 50, 40)};
  s.next = {{{" A1" + ans(true, 0.7), 30, 25}, {" A2" + ans(true, 0.75), 6, 3}},
            {{"{\"de\": false, \"confidence\": 0.8}", 12, 0}, {"unused", 1, 1}},
            {}};
  auto out = BudgetForcing(cfg(0.9, 3, 40)).run({0, 1, 2}, s.sampler());
  auto cont = s.of(SampleRequest::Mode::Continue);
  // Rounds 1 and 2 only: in round 3 both live items have spent the budget with an answer standing.
  ASSERT_EQ(cont.size(), 2u);
  ASSERT_EQ(cont[0].first, std::vector<size_t>({0, 1}));
  EXPECT_EQ(cont[0].second.cont[0].think_tokens, 28);
  EXPECT_FALSE(cont[0].second.cont[0].force_answer);
  EXPECT_TRUE(cont[0].second.cont[1].force_answer);
  ASSERT_EQ(cont[1].first, std::vector<size_t>({0}));
  EXPECT_EQ(cont[1].second.cont[0].think_tokens, 3);
  EXPECT_EQ(out[0].rounds.size(), 3u);
  EXPECT_NEAR(out[0].p_de, 0.75, 1e-12);
  ASSERT_EQ(out[1].rounds.size(), 2u);
  EXPECT_EQ(out[1].rounds[1].kind, "forced");
  EXPECT_EQ(out[1].rounds[1].completions[0].text, "<think>long</think>\n{\"de\": false, \"confidence\": 0.8}");
  EXPECT_NEAR(out[1].p_de, 0.2, 1e-12);
  EXPECT_EQ(out[2].rounds.size(), 1u);
}

namespace {

// Six items, each with two continuations; greedy confidences 0.97, 0.6, 0.5, unparsed, 0.8, 0.3.
BfScript six_items() {
  BfScript s;
  const double c0[] = {0.97, 0.6, 0.5, -1, 0.8, 0.3}, c1[] = {0.99, 0.7, 0.92, 0.85, 0.6, 0.95}, c2[] = {0.9, 0.8, 0.7, 0.99, 0.95, 0.5};
  for (int i = 0; i < 6; ++i) {
    if (c0[i] < 0) s.greedy.push_back({"<think>x", 30, "length", 30});
    else s.greedy.push_back(first("r" + std::to_string(i), i % 2 == 0, c0[i], 20 + i, 10 + i));
    s.next.push_back({{" a" + ans(i % 3 == 0, c1[i]), 10 + i, 5}, {" b" + ans(i % 2 == 1, c2[i]), 7 + i, 4}});
  }
  return s;
}

}  // namespace

TEST(BudgetForcing, SelectiveWrapperContinuesOnlyItemsBelowItsTau) {
  BfScript s = six_items();
  auto bf = std::make_shared<BudgetForcing>(cfg(1.0, 2, 1000));
  auto out = Selective(bf, 0.75).run({0, 1, 2, 3, 4, 5}, s.sampler());
  // The greedy pass is budget forcing's own round 0 (no second greedy pass); Selective's tau rules.
  EXPECT_EQ(s.calls.size(), 4u);  // keep, round 1, round 2, release
  ASSERT_EQ(s.of(SampleRequest::Mode::Keep).size(), 1u);
  auto cont = s.of(SampleRequest::Mode::Continue);
  ASSERT_EQ(cont.size(), 2u);
  EXPECT_EQ(cont[0].first, std::vector<size_t>({1, 2, 3, 5}));  // 0.6, 0.5, unparsed, 0.3 < 0.75
  EXPECT_EQ(cont[1].first, std::vector<size_t>({1}));           // 0.7 still below; 0.92, 0.85, 0.95 not
  EXPECT_EQ(out[0].rounds.size(), 1u);
  EXPECT_EQ(out[4].rounds.size(), 1u);
  EXPECT_EQ(out[1].rounds.size(), 3u);
  EXPECT_EQ(out[1].total_tokens(), 21 + 11 + 8);
}

TEST(BudgetForcing, OneRunAtTauOneGivesEveryTau) {
  const std::vector<size_t> all = {0, 1, 2, 3, 4, 5};
  BfScript su = six_items();
  auto uniform = BudgetForcing(cfg(1.0, 2, 1000)).run(all, su.sampler());
  std::vector<TtcOutcome> greedy;
  for (const auto& o : uniform) greedy.push_back(outcome_of_single(o.rounds[0]));
  for (double t : default_taus()) {
    BfScript s = six_items();
    auto at = BudgetForcing(cfg(t, 2, 1000)).run(all, s.sampler());
    for (size_t i = 0; i < all.size(); ++i) {
      auto composed = compose_selective(greedy[i], uniform[i], t);
      EXPECT_EQ(composed.round_tokens(), at[i].round_tokens()) << "tau " << t << " item " << i;
      EXPECT_EQ(composed.answer.ok(), at[i].answer.ok());
      EXPECT_NEAR(composed.p_de, at[i].p_de, 1e-12) << "tau " << t << " item " << i;
    }
  }
  // The sweep over bf: tokens grow with tau; tau 0 is greedy, tau 1 the uniform run.
  std::vector<int> labels = {1, 0, 1, 0, 1, 0}, groups = {0, 0, 1, 1, 2, 2};
  metrics::SummaryOptions opt;
  opt.bootstrap_resamples = 20;
  auto pts = tau_sweep(greedy, {{"bf", uniform}}, default_taus(), labels, groups, opt);
  ASSERT_EQ(pts.size(), 2u + 21u);
  EXPECT_EQ(pts[1].name, "bf");
  double prev = -1;
  for (size_t k = 2; k < pts.size(); ++k) {
    EXPECT_GE(pts[k].tokens_per_item, prev);
    prev = pts[k].tokens_per_item;
  }
  EXPECT_NEAR(pts[2].tokens_per_item, pts[0].tokens_per_item, 1e-12);
  EXPECT_NEAR(pts.back().tokens_per_item, pts[1].tokens_per_item, 1e-12);
}

TEST(BudgetForcing, HoldsOneGroupOfSequencesAtATime) {
  BfScript s = six_items();
  BudgetForcingConfig c = cfg(0.9, 1, 1000);
  c.group_size = 4;
  auto out = BudgetForcing(c).run({0, 1, 2, 3, 4, 5}, s.sampler());
  ASSERT_EQ(out.size(), 6u);
  // keep {0..3}, continue {1, 2, 3}, release, keep {4, 5}, continue {4, 5}, release.
  ASSERT_EQ(s.calls.size(), 6u);
  EXPECT_EQ(s.calls[0].first, std::vector<size_t>({0, 1, 2, 3}));
  EXPECT_EQ(s.calls[1].first, std::vector<size_t>({1, 2, 3}));
  EXPECT_EQ(s.calls[2].second.mode, SampleRequest::Mode::Release);
  EXPECT_EQ(s.calls[3].first, std::vector<size_t>({4, 5}));
  EXPECT_EQ(s.calls[4].first, std::vector<size_t>({4, 5}));
  EXPECT_EQ(out[5].rounds.size(), 2u);
}

namespace {

lm::Model sharp_model() {
  lm::Model m = lm::Model::init_random(lm::tiny_qwen3_config(64), 11);
  at::NoGradGuard g;
  m.weights().embed_tokens.mul_(4.0);
  return m;
}

std::vector<int64_t> cat(std::vector<int64_t> a, const std::vector<int64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

// The LM sampler's continuation on a tiny model. "</think>" is a token the model emits in its greedy
// pass (so the pass has reasoning to keep); the cue "Wait," encodes to {9, 10}, "\n" to {11}.
TEST(BudgetForcingLm, ContinuesFromTheKeptReasoningWithTheCacheReused) {
  lm::Model m = sharp_model();
  const std::vector<std::vector<int64_t>> prompts = {{1, 17, 4, 33, 8, 2, 40}, {5, 6, 7}};
  lm::GenerationConfig g;
  g.max_new_tokens = 12;
  g.vocab_limit = 60;
  const auto pass = lm::generate(m, {prompts[0]}, g)[0].ids;
  const int64_t think_end = pass[3];
  const int64_t f = std::find(pass.begin(), pass.end(), think_end) - pass.begin();  // <= 3
  lm::Decoder dec = [&](const std::vector<int64_t>& ids) {
    std::string s;
    for (auto id : ids) s += id == think_end ? "</think>" : "t" + std::to_string(id) + " ";
    return s;
  };
  Encoder enc = [](const std::string& s) { return s == "\n" ? std::vector<int64_t>{11} : std::vector<int64_t>{9, 10}; };
  LmSamplerOptions opt;
  opt.max_new_tokens = 12;
  opt.vocab_limit = 60;
  opt.think_end_id = think_end;
  opt.batch_rows = 1;
  auto sample = lm_sampler(m, prompts, dec, opt, enc);

  SampleRequest keep;
  keep.mode = SampleRequest::Mode::Keep;
  auto r0 = sample({0, 1}, keep);
  ASSERT_EQ(r0.size(), 2u);
  EXPECT_EQ(r0[0][0].text, dec(pass));  // the same greedy pass as lm::generate
  EXPECT_EQ(r0[0][0].thinking_tokens, f);
  SampleRequest cont;
  cont.mode = SampleRequest::Mode::Continue;
  cont.round = 1;
  Continuation wait;
  wait.think_tokens = 4;
  cont.cont = {wait};
  const int64_t before = m.forwarded_positions();
  auto r1 = sample({0}, cont);
  const int64_t passed = m.forwarded_positions() - before;
  ASSERT_EQ(r1.size(), 1u);
  const Completion& c = r1[0][0];

  // From scratch: the kept reasoning + cue, thinking up to 4 tokens or "</think>", then the answer.
  const std::vector<int64_t> kept(pass.begin(), pass.begin() + f), cue = {9, 10};
  lm::GenerationConfig g1 = g;
  g1.max_new_tokens = 4;
  g1.stop_ids = {think_end};
  const auto ph1 = lm::generate(m, {cat(cat(prompts[0], kept), cue)}, g1)[0];
  const bool closed = ph1.finish_reason == "stop_id";
  const std::vector<int64_t> forced = closed ? std::vector<int64_t>{} : std::vector<int64_t>{think_end, 11};
  const auto ph2 = lm::generate(m, {cat(cat(cat(cat(prompts[0], kept), cue), ph1.ids), forced)}, g)[0];
  EXPECT_EQ(c.prefix, dec(kept));
  EXPECT_EQ(c.text, dec(cat(cat(cat(cat(kept, cue), ph1.ids), forced), ph2.ids)));
  EXPECT_EQ(c.text.rfind(dec(kept), 0), 0u);  // the continued response starts with the original reasoning
  EXPECT_EQ(c.kept_tokens, f);
  EXPECT_EQ(c.appended_tokens, 2 + static_cast<int64_t>(forced.size()));
  EXPECT_EQ(c.forced, !closed);
  EXPECT_EQ(c.tokens, ph1.generated_tokens + ph2.generated_tokens);
  EXPECT_EQ(c.thinking_tokens, ph1.generated_tokens - (closed ? 1 : 0));
  // The KV cache is reused: only the cue, the forced tokens and the new tokens pass through the model
  // (the answer's last token stays pending), never the prompt and the kept reasoning again.
  EXPECT_EQ(passed, c.appended_tokens + c.tokens - 1);
  EXPECT_LT(passed, static_cast<int64_t>(prompts[0].size() + kept.size()) + c.appended_tokens + c.tokens);

  // A turn ended inside the thinking (a stop id before "</think>"): the stop id is dropped and
  // "</think>\n" appended, then the answer (s1 appends the delimiter when thinking stops).
  size_t q = 0;
  while (q < ph1.ids.size() && (ph1.ids[q] == think_end || std::count(pass.begin(), pass.end(), ph1.ids[q]) > 0 ||
                                std::count(ph1.ids.begin(), ph1.ids.begin() + q, ph1.ids[q]) > 0))
    ++q;
  ASSERT_LT(q, ph1.ids.size()) << "no token of the continuation can serve as a stop id";
  {
    const int64_t stop = ph1.ids[q];
    LmSamplerOptions o2 = opt;
    o2.stop_ids = {stop};
    auto sample2 = lm_sampler(m, prompts, dec, o2, enc);
    EXPECT_EQ(sample2({0}, keep)[0][0].text, dec(pass));  // round 0 never met the stop id
    const Completion e = sample2({0}, cont)[0][0];
    const std::vector<int64_t> thought(ph1.ids.begin(), ph1.ids.begin() + q), delim = {think_end, 11};
    lm::GenerationConfig g2 = g;
    g2.stop_ids = {stop};
    const auto answer = lm::generate(m, {cat(cat(cat(cat(prompts[0], kept), cue), thought), delim)}, g2)[0];
    std::vector<int64_t> body = answer.ids;
    if (answer.finish_reason == "stop_id") body.pop_back();
    EXPECT_EQ(e.text, dec(cat(cat(cat(cat(kept, cue), thought), delim), body)));
    EXPECT_EQ(e.thinking_tokens, static_cast<int64_t>(q));
    EXPECT_EQ(e.tokens, static_cast<int64_t>(q) + 1 + answer.generated_tokens);
    EXPECT_EQ(e.appended_tokens, 4);
    EXPECT_FALSE(e.forced);
  }

  // Not kept: refused. A release drops the sequences.
  SampleRequest no_cont;
  no_cont.mode = SampleRequest::Mode::Continue;
  EXPECT_THROW(sample({0}, no_cont), Error);  // a continuation per item is required
  SampleRequest rel;
  rel.mode = SampleRequest::Mode::Release;
  EXPECT_TRUE(sample({}, rel).empty());
  EXPECT_THROW(sample({0}, cont), Error);

  // The whole strategy over the model: every round of every item continues the one before.
  BudgetForcingConfig bc = cfg(1.0, 2, 30);
  auto out = BudgetForcing(bc).run({0, 1}, sample);
  for (const auto& o : out) {
    // Garbage never parses (confidence 0 < 1): rounds go on to the cap unless the budget runs out.
    ASSERT_GE(o.rounds.size(), 2u);
    ASSERT_LE(o.rounds.size(), 3u);
    int64_t thinking = 0, tokens = 0;
    for (size_t r = 0; r < o.rounds.size(); ++r) {
      const Completion& x = o.rounds[r].completions[0];
      thinking += x.thinking_tokens;
      tokens += x.tokens;
      if (r == 0) continue;
      EXPECT_EQ(o.rounds[r].kind, "wait");
      // The continued response starts with the previous one's reasoning (all of it before "</think>").
      const std::string& prev = o.rounds[r - 1].completions[0].text;
      EXPECT_EQ(x.prefix, prev.substr(0, prev.find("</think>")));
      EXPECT_EQ(x.text.rfind(x.prefix + "t9 t10 ", 0), 0u);
      EXPECT_EQ(x.text.rfind(o.rounds[0].completions[0].text.substr(0, o.rounds[0].completions[0].text.find("</think>")), 0), 0u);
    }
    if (o.rounds.size() < 3) EXPECT_GE(thinking, bc.thinking_token_budget);
    EXPECT_LE(thinking - o.rounds[0].completions[0].thinking_tokens, bc.thinking_token_budget);
    EXPECT_EQ(o.total_tokens(), tokens);
  }
}
