#include "demo_motions.h"

#include <algorithm>
#include <cmath>

namespace skelaug::data::demo {
namespace {

// How strongly and how fast this clip is performed: the subject's habit times a per-clip variation.
struct Vigour {
  double amplitude;
  double tempo;
};
Vigour draw_vigour(DemoRandom& random, const DemoSubject& subject) {
  const double amplitude = subject.amplitude * random.log_normal_factor(0.15);
  const double tempo = subject.tempo * random.log_normal_factor(0.12);
  return {amplitude, tempo};
}

// `count` repetitions of an event `length` seconds long, with random gaps, placed at a random time inside the clip
// (shortened when they would not fit).
struct EventTrain {
  double start = 0;
  double period = 1;
  double length = 1;
  int count = 1;

  // Progress through the current event in [0, 1]; 1 in the gaps and after the last event, 0 before the first.
  double phase(double t) const {
    if (t <= start) return 0.0;
    const int k = std::min(count - 1, static_cast<int>((t - start) / period));
    return std::clamp((t - start - k * period) / length, 0.0, 1.0);
  }
  int index(double t) const { return std::clamp(static_cast<int>((t - start) / period), 0, count - 1); }
};
EventTrain place_events(DemoRandom& random, double duration, int count, double length, double max_gap) {
  EventTrain train;
  train.count = std::max(1, count);
  train.length = std::min(length, 0.9 * duration / train.count);
  const double room = 0.95 * duration - train.count * train.length;
  const double gap = train.count > 1 ? std::min(random.uniform(0.0, max_gap), room / (train.count - 1)) : 0.0;
  const double total = train.count * train.length + (train.count - 1) * gap;
  train.start = random.uniform(0.0, std::max(0.0, duration - total));
  train.period = train.length + gap;
  return train;
}

// How many events of about `length` seconds fit, at most `most`, at least 1, chosen at random.
int draw_count(DemoRandom& random, double duration, double length, int most) {
  const int fit = std::clamp(static_cast<int>(duration / length), 1, most);
  return random.integer(1, fit);
}

// The side a one-sided action uses: the dominant one, or the other with probability `other`.
int draw_side(DemoRandom& random, const DemoSubject& subject, double other) {
  return random.chance(other) ? -subject.dominant_side : subject.dominant_side;
}

// A position on a circular arc: speed `speed` (m/s), heading changing at `turn_rate` (rad/s), starting along +z.
Vec3 arc_position(double speed, double turn_rate, double t) {
  if (std::abs(turn_rate) < 1e-6) return {0, 0, speed * t};
  const double r = speed / turn_rate;
  return {r * (1 - std::cos(turn_rate * t)), 0, r * std::sin(turn_rate * t)};
}

// Walking and running share a gait cycle; they differ in cadence, ranges, elbow carriage, lean and flight.
struct Gait {
  double cadence;     // gait cycles per second (two steps)
  double hip;         // hip swing amplitude
  double knee;        // peak knee flexion in swing
  double arm;         // arm swing amplitude
  double elbow;       // elbow flexion
  double lean;        // forward trunk lean
  double cycle_length;  // metres per gait cycle
  double flight;      // peak height of the flight phase (0 for walking)
  double turn_rate;   // rad/s
  double phase0;
};

DemoPose gait_pose(const DemoSubject& subject, const Gait& g, double t) {
  DemoPose pose = idle_pose(subject);
  const double phase = g.phase0 + 2 * kPi * g.cadence * t;
  for (const int side : {kLeft, kRight}) {
    const double p = side == kLeft ? phase : phase + kPi;
    const double swing = std::max(0.0, std::cos(p + 0.3));
    const double knee = 0.08 + g.knee * swing * swing;
    const double push_off = 0.3 * std::max(0.0, -std::sin(p + 0.3));
    move_leg(pose, side, g.hip * std::sin(p), knee, push_off - 0.1 * swing);
    move_arm(pose, side, -g.arm * std::sin(p), 0.0, 0.1 * g.elbow, g.elbow + 0.25 * g.arm * (1 + std::sin(p)));
  }
  bend_trunk(pose, g.lean, 0.12 * g.hip * std::sin(phase));
  pose.angles[kPelvis].y -= 0.1 * g.hip * std::sin(phase);
  pose.travel = arc_position(g.cadence * g.cycle_length, g.turn_rate, t);
  pose.turn = g.turn_rate * t;
  pose.lift = g.flight * std::pow(std::max(0.0, std::sin(2 * phase)), 2);
  return pose;
}

DemoMotion walk(DemoRandom& random, const DemoSubject& subject, double) {
  const auto v = draw_vigour(random, subject);
  Gait g;
  g.cadence = random.uniform(0.75, 1.1) * v.tempo;
  g.hip = random.uniform(0.3, 0.55) * v.amplitude;
  g.knee = random.uniform(0.7, 1.15) * v.amplitude;
  // Some people walk with their hands held still (pockets, behind the back): a different-looking walk.
  const bool still_arms = random.chance(0.2);
  g.arm = still_arms ? random.uniform(0.0, 0.08) : random.uniform(0.1, 0.55) * v.amplitude;
  g.elbow = still_arms ? random.uniform(0.6, 1.5) : random.uniform(0.0, 0.5);
  g.lean = random.uniform(-0.02, 0.12);
  g.cycle_length = random.uniform(1.1, 1.6) * subject.height / kBaseHeight;
  g.flight = 0.0;
  g.turn_rate = random.normal(0.0, 0.25);
  g.phase0 = random.uniform(0, 2 * kPi);
  return {GroundAnchor::kTravel, [subject, g](double t) { return gait_pose(subject, g, t); }};
}

DemoMotion run(DemoRandom& random, const DemoSubject& subject, double) {
  const auto v = draw_vigour(random, subject);
  Gait g;
  // Jogging overlaps a brisk walk in cadence and ranges; elbow carriage, lean and flight tell them apart.
  g.cadence = random.uniform(1.05, 1.6) * v.tempo;
  g.hip = random.uniform(0.4, 0.8) * v.amplitude;
  g.knee = random.uniform(0.9, 1.8) * v.amplitude;
  g.arm = random.uniform(0.25, 0.75) * v.amplitude;
  g.elbow = random.uniform(0.8, 1.7);
  g.lean = random.uniform(0.05, 0.3);
  g.cycle_length = random.uniform(1.6, 2.8) * subject.height / kBaseHeight;
  g.flight = random.uniform(0.01, 0.08);
  g.turn_rate = random.normal(0.0, 0.25);
  g.phase0 = random.uniform(0, 2 * kPi);
  return {GroundAnchor::kTravel, [subject, g](double t) { return gait_pose(subject, g, t); }};
}

DemoMotion jump(DemoRandom& random, const DemoSubject& subject, double duration) {
  const auto v = draw_vigour(random, subject);
  const EventTrain jumps =
      place_events(random, duration, draw_count(random, duration, 1.0, 3), random.uniform(0.8, 1.3) / v.tempo, 0.5);
  const double height = random.uniform(0.1, 0.4) * v.amplitude;
  const double distance = random.chance(0.4) ? 0.0 : random.uniform(0.1, 0.6);
  const double knee_depth = random.uniform(0.8, 1.5) * v.amplitude;
  const double hip_depth = knee_depth * random.uniform(0.6, 0.9);
  const double arm_swing = random.chance(0.7) ? random.uniform(0.8, 1.0) : random.uniform(0.0, 0.3);
  const double tuck = random.chance(0.3) ? random.uniform(0.6, 1.4) : 0.0;
  return {GroundAnchor::kTravel, [=](double t) {
            DemoPose pose = idle_pose(subject);
            const double u = jumps.phase(t);
            const double crouch = bump(u, 0.0, 0.48) + 0.7 * bump(u, 0.62, 1.0);
            const double air = smoothstep(0.4, 0.44, u) * (1 - smoothstep(0.6, 0.64, u));
            const double knee = knee_depth * crouch + tuck * air;
            const double hip = hip_depth * crouch + tuck * air;
            for (const int side : {kLeft, kRight}) {
              move_leg(pose, side, hip, knee, flat_foot(hip, knee) + 0.6 * air);
              move_arm(pose, side, arm_swing * (-0.7 * bump(u, 0.0, 0.42) + 2.4 * bump(u, 0.28, 0.8)), 0.05, 0.0,
                       0.3 * crouch);
            }
            tilt_pelvis(pose, 0.5 * crouch);
            const double s = std::clamp((u - 0.42) / 0.2, 0.0, 1.0);
            pose.lift = 4 * height * s * (1 - s);
            // Every completed jump has carried the body `distance` forward.
            pose.travel = {0, 0, distance * (jumps.index(t) + smoothstep(0.42, 0.62, u))};
            return pose;
          }};
}

DemoMotion squat(DemoRandom& random, const DemoSubject& subject, double duration) {
  const auto v = draw_vigour(random, subject);
  const double rep = random.uniform(1.2, 2.2) / v.tempo;
  const EventTrain reps = place_events(random, duration, draw_count(random, duration, 1.6, 3), rep, 0.6);
  const double knee_depth = std::min(2.3, random.uniform(1.1, 2.1) * v.amplitude);
  const double hip_depth = knee_depth * random.uniform(0.7, 0.95);
  const double lean = random.uniform(0.15, 0.6);
  const double hold = random.uniform(0.45, 0.6);
  const int arms = random.integer(0, 2);  // forward for balance, hands on hips, hanging
  return {GroundAnchor::kBothFeet, [=](double t) {
            DemoPose pose = idle_pose(subject);
            const double d = plateau(reps.phase(t), 0.0, 0.4, hold, 1.0);
            for (const int side : {kLeft, kRight}) {
              const double hip = hip_depth * d, knee = knee_depth * d;
              move_leg(pose, side, hip, knee, flat_foot(hip, knee));
              if (arms == 0) move_arm(pose, side, 1.4 * d, 0.0, 0.1 * d, 0.1);
              if (arms == 1) move_arm(pose, side, 0.2, 0.5, -0.2, 1.8);
            }
            tilt_pelvis(pose, lean * d);
            return pose;
          }};
}

DemoMotion wave(DemoRandom& random, const DemoSubject& subject, double duration, int side) {
  const auto v = draw_vigour(random, subject);
  const bool overhead = random.chance(0.3);
  const double raise = overhead ? random.uniform(2.3, 2.8) : random.uniform(1.0, 2.4);
  const double elbow = overhead ? random.uniform(0.0, 0.3) : std::clamp(kPi - raise - random.uniform(-0.2, 0.5), 0.3, 2.0);
  const double forward = random.uniform(0.0, 0.5);
  const double swing = random.uniform(0.2, 0.5) * v.amplitude;
  const double rate = (overhead ? random.uniform(0.8, 1.8) : random.uniform(1.5, 3.0)) * v.tempo;
  const double phase0 = random.uniform(0, 2 * kPi);
  const double up = random.uniform(0.0, 0.3) * duration;
  const double down = random.uniform(0.75, 1.2) * duration;
  const double lift_time = random.uniform(0.3, 0.7) / v.tempo;
  return {GroundAnchor::kBothFeet, [=](double t) {
            DemoPose pose = idle_pose(subject);
            const double e = plateau(t, up, up + lift_time, down - lift_time, down);
            const double oscillation = e * swing * std::sin(phase0 + 2 * kPi * rate * t);
            if (overhead) {
              move_arm(pose, side, e * forward, e * raise + oscillation, 0.0, e * elbow);
            } else {
              move_arm(pose, side, e * forward, e * raise, 0.0, 0.2 * e, e * elbow + oscillation);
            }
            bend_trunk(pose, 0.0, 0.0, -side * 0.06 * e);
            return pose;
          }};
}
DemoMotion wave_left(DemoRandom& random, const DemoSubject& subject, double duration) {
  return wave(random, subject, duration, kLeft);
}
DemoMotion wave_right(DemoRandom& random, const DemoSubject& subject, double duration) {
  return wave(random, subject, duration, kRight);
}

DemoMotion punch(DemoRandom& random, const DemoSubject& subject, double duration) {
  const auto v = draw_vigour(random, subject);
  const int lead = draw_side(random, subject, 0.25);
  const bool alternate = random.chance(0.5);
  const EventTrain punches = place_events(random, duration, draw_count(random, duration, 0.7, 4),
                                          random.uniform(0.35, 0.65) / v.tempo, 0.4);
  const double guard_flex = random.uniform(0.3, 0.8);
  const double guard_elbow = random.uniform(1.5, 2.3);
  const double reach = random.uniform(1.2, 1.65);
  const double guard_up = random.chance(0.5) ? 0.0 : random.uniform(0.2, 0.5);
  const double stagger = random.uniform(0.0, 0.3);
  return {GroundAnchor::kBothFeet, [=](double t) {
            DemoPose pose = idle_pose(subject);
            const double guard = smoothstep(0.0, guard_up, t);
            const int k = punches.index(t);
            const int hand = alternate && k % 2 == 1 ? -lead : lead;
            const double u = punches.phase(t);
            const double extend = u < 0.35 ? smoothstep(0.0, 0.35, u) : 1.0 - smoothstep(0.35, 1.0, u);
            for (const int side : {kLeft, kRight}) {
              const double x = side == hand ? extend : 0.0;
              move_arm(pose, side, guard * (guard_flex + (reach - guard_flex) * x), 0.2 * guard, 0.3 * x,
                       guard * guard_elbow * (1 - x));
              move_leg(pose, side, side == lead ? stagger : -0.5 * stagger, 0.2 * guard, 0.0);
            }
            bend_trunk(pose, 0.05, -hand * 0.35 * extend);
            return pose;
          }};
}

DemoMotion kick(DemoRandom& random, const DemoSubject& subject, double duration) {
  const auto v = draw_vigour(random, subject);
  const int side = draw_side(random, subject, 0.3);
  const EventTrain kicks = place_events(random, duration, draw_count(random, duration, 1.6, 2),
                                        random.uniform(0.9, 1.4) / v.tempo, 0.6);
  const double height = std::min(1.8, random.uniform(0.9, 1.6) * v.amplitude);
  const bool extend = random.chance(0.7);  // a front kick; otherwise a knee strike that never straightens
  const bool guard = random.chance(0.5);
  const auto standing_foot = side == kLeft ? GroundAnchor::kRightFoot : GroundAnchor::kLeftFoot;
  return {standing_foot, [=](double t) {
            DemoPose pose = idle_pose(subject);
            const double u = kicks.phase(t);
            const double hip = height * keyframes(u, {{0.0, 0.0}, {0.3, 0.85}, {0.45, 1.0}, {0.65, 0.8}, {1.0, 0.0}});
            const double knee = extend ? keyframes(u, {{0.0, 0.0}, {0.28, 1.7}, {0.45, 0.1}, {0.65, 1.4}, {1.0, 0.0}})
                                       : keyframes(u, {{0.0, 0.0}, {0.3, 2.0}, {0.7, 2.0}, {1.0, 0.0}});
            move_leg(pose, side, hip, knee, 0.4 * hip / std::max(height, 1e-6));
            move_leg(pose, -side, 0.0, 0.15, 0.0);
            bend_trunk(pose, -0.25 * hip);
            for (const int arm : {kLeft, kRight}) {
              if (guard) move_arm(pose, arm, 0.6, 0.2, 0.2, 2.0);
              else move_arm(pose, arm, 0.0, 0.4 * hip / std::max(height, 1e-6), 0.0, 0.3);
            }
            return pose;
          }};
}
DemoMotion bow(DemoRandom& random, const DemoSubject& subject, double duration) {
  const auto v = draw_vigour(random, subject);
  const double down = random.uniform(0.5, 1.0) / v.tempo;
  const double hold = random.uniform(0.2, 1.0);
  const double up = random.uniform(0.6, 1.1) / v.tempo;
  const EventTrain bows = place_events(random, duration, random.chance(0.25) ? 2 : 1, down + hold + up, 0.4);
  const double d0 = down / (down + hold + up), d1 = (down + hold) / (down + hold + up);
  const double depth = std::min(1.5, random.uniform(0.35, 1.2) * v.amplitude);
  const double pelvis_share = random.uniform(0.5, 0.85);
  const double knees = random.uniform(0.0, 0.3);
  const int hands = random.integer(0, 2);  // hanging, along the body, joined in front
  return {GroundAnchor::kBothFeet, [=](double t) {
            DemoPose pose = idle_pose(subject);
            const double e = plateau(bows.phase(t), 0.0, d0, d1, 1.0);
            tilt_pelvis(pose, pelvis_share * depth * e);
            bend_trunk(pose, (1 - pelvis_share) * depth * e);
            pose.angles[kHead].x += 0.2 * e;
            for (const int side : {kLeft, kRight}) {
              move_leg(pose, side, 0.5 * knees * e, knees * e, flat_foot(0.5 * knees * e, knees * e));
              if (hands == 0) move_arm(pose, side, 0.9 * depth * e, 0.0, 0.0, 0.0);
              if (hands == 2) move_arm(pose, side, 0.4 + 0.5 * depth * e, 0.0, 0.4, 0.8);
            }
            return pose;
          }};
}

DemoMotion clap(DemoRandom& random, const DemoSubject& subject, double duration) {
  const auto v = draw_vigour(random, subject);
  const double rate = random.uniform(1.5, 3.5) * v.tempo;
  const bool overhead = random.chance(0.2);
  const double flex = overhead ? random.uniform(2.3, 2.7) : random.uniform(0.8, 1.6);
  const double open = random.uniform(-0.35, 0.1) * v.amplitude;
  const double closed = random.uniform(0.4, 0.6);
  const double elbow = random.uniform(0.2, 0.9);
  const double phase0 = random.uniform(0, 2 * kPi);
  const double up = random.uniform(0.0, 0.25) * duration;
  const double raise_time = random.uniform(0.3, 0.6) / v.tempo;
  const double down = random.uniform(0.8, 1.2) * duration;
  return {GroundAnchor::kBothFeet, [=](double t) {
            DemoPose pose = idle_pose(subject);
            const double e = plateau(t, up, up + raise_time, down - raise_time, down);
            const double together = std::pow(0.5 + 0.5 * std::cos(phase0 + 2 * kPi * rate * t), 1.5);
            for (const int side : {kLeft, kRight}) {
              move_arm(pose, side, e * flex, 0.0, e * (open + (closed - open) * together), e * elbow);
            }
            return pose;
          }};
}

// Sitting down and standing up are the same movement run forwards and backwards in time.
DemoMotion seat_transition(DemoRandom& random, const DemoSubject& subject, double duration, bool standing_up) {
  const auto v = draw_vigour(random, subject);
  const double length = std::min(0.8 * duration, random.uniform(1.2, 2.4) / v.tempo);
  const double start = random.uniform(0.0, duration - length);
  const double seat_hip = random.uniform(1.25, 1.65);
  const double seat_knee = random.uniform(1.25, 1.85);
  const double lean = random.uniform(0.2, 0.7) * v.amplitude;
  const int arms = random.integer(0, 2);  // hands to the knees, forward for balance, hanging
  return {GroundAnchor::kBothFeet, [=](double t) {
            DemoPose pose = idle_pose(subject);
            const double s = smoothstep(start, start + length, t);
            const double u = standing_up ? 1.0 - s : s;
            const double hip = seat_hip * u, knee = seat_knee * u;
            for (const int side : {kLeft, kRight}) {
              move_leg(pose, side, hip, knee, flat_foot(hip, knee));
              if (arms == 0) move_arm(pose, side, 0.7 * u, 0.0, 0.1 * u, 0.6 * u);
              if (arms == 1) move_arm(pose, side, 1.3 * std::sin(kPi * u), 0.0, 0.0, 0.2);
            }
            tilt_pelvis(pose, lean * std::sin(kPi * u) - 0.1 * u);
            bend_trunk(pose, 0.3 * lean * std::sin(kPi * u));
            return pose;
          }};
}
DemoMotion sit_down(DemoRandom& random, const DemoSubject& subject, double duration) {
  return seat_transition(random, subject, duration, false);
}
DemoMotion stand_up(DemoRandom& random, const DemoSubject& subject, double duration) {
  return seat_transition(random, subject, duration, true);
}

DemoMotion pick_up(DemoRandom& random, const DemoSubject& subject, double duration) {
  const auto v = draw_vigour(random, subject);
  const int hand = draw_side(random, subject, 0.3);
  const double length = std::min(0.9 * duration, random.uniform(1.6, 3.0) / v.tempo);
  const double start = random.uniform(0.0, duration - length);
  const double stoop = random.uniform(0.7, 1.4);  // pelvis pitch
  const double knees = random.uniform(0.2, 1.5);  // from a stoop to a squat
  const bool both_hands = random.chance(0.3);
  return {GroundAnchor::kBothFeet, [=](double t) {
            DemoPose pose = idle_pose(subject);
            const double u = std::clamp((t - start) / length, 0.0, 1.0);
            const double e = plateau(u, 0.0, 0.4, 0.55, 1.0);
            const double holding = smoothstep(0.45, 0.6, u);  // the object is in the hand after the reach
            const double hip = 0.7 * knees * e, knee = knees * e;
            for (const int side : {kLeft, kRight}) {
              move_leg(pose, side, hip, knee, flat_foot(hip, knee));
              if (side == hand || both_hands) {
                move_arm(pose, side, (stoop + 0.4) * e + 0.5 * holding * (1 - e), 0.0, 0.15, 0.2 + 1.0 * holding * (1 - e));
              } else {
                move_arm(pose, side, 0.4 * e, 0.1, 0.0, 0.5 * e);
              }
            }
            tilt_pelvis(pose, stoop * e);
            bend_trunk(pose, 0.3 * stoop * e);
            pose.angles[kHead].x += 0.3 * e;
            return pose;
          }};
}

DemoMotion throw_ball(DemoRandom& random, const DemoSubject& subject, double duration) {
  const auto v = draw_vigour(random, subject);
  const int hand = draw_side(random, subject, 0.2);
  const double length = std::min(0.9 * duration, random.uniform(1.0, 1.8) / v.tempo);
  const double start = random.uniform(0.0, duration - length);
  const bool underhand = random.chance(0.25);
  const double power = random.uniform(0.7, 1.1) * v.amplitude;
  return {GroundAnchor::kBothFeet, [=](double t) {
            DemoPose pose = idle_pose(subject);
            const double u = std::clamp((t - start) / length, 0.0, 1.0);
            // Wind up until 0.5, release by 0.65, follow through, return.
            const double wind = keyframes(u, {{0.0, 0.0}, {0.5, 1.0}, {0.62, 0.0}});
            const double release = keyframes(u, {{0.5, 0.0}, {0.62, 1.0}, {0.8, 0.8}, {1.0, 0.0}});
            if (underhand) {
              move_arm(pose, hand, power * (-0.9 * wind + 1.5 * release), 0.1, 0.0, 0.2);
            } else {
              move_arm(pose, hand, power * (-0.3 * wind + 1.6 * release), power * 1.5 * wind, 0.3 * release,
                       1.6 * wind + 0.2 * release);
            }
            move_arm(pose, -hand, 0.8 * wind, 0.2, 0.2, 0.4);
            bend_trunk(pose, power * (-0.15 * wind + 0.35 * release), hand * power * (0.45 * wind - 0.4 * release));
            move_leg(pose, -hand, 0.35 * (wind + release), 0.2 * release, 0.0);
            move_leg(pose, hand, -0.15 * release, 0.15 * release, 0.2 * release);
            return pose;
          }};
}

}  // namespace

const std::vector<DemoAction>& demo_actions() {
  static const std::vector<DemoAction> actions = {
      {"walk", walk},         {"run", run},           {"jump", jump},          {"squat", squat},
      {"wave_left", wave_left}, {"wave_right", wave_right}, {"punch", punch},  {"kick", kick},
      {"bow", bow},           {"clap", clap},         {"sit_down", sit_down},  {"stand_up", stand_up},
      {"pick_up", pick_up},   {"throw", throw_ball},
  };
  return actions;
}

}  // namespace skelaug::data::demo
