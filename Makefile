# The two commands of the README's quick start, and the steps under them.
#   make demo   install what is missing, build, run the demo job with 2 MPI ranks
#   make test   install what is missing, build, run the whole test suite
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
RANKS ?= 2

# mpirun refuses to run as root unless told; containers and CI machines run as root.
ifeq ($(shell id -u),0)
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
endif

.PHONY: all deps configure build demo test clean

all: build

deps:
	@tools/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The demo grows with the project: the built-in dataset, the distributed world check, data-parallel generator
# training, sampling from the trained generator, then the generation metrics of the samples through a freshly trained
# Action2Motion feature recogniser.
DEMO_RUN := runs/demo-generator-$(shell date +%Y%m%d-%H%M%S)
demo: build
	mkdir -p runs
	$(BUILD_DIR)/bin/skelaug data demo -o runs/demo.npz
	$(BUILD_DIR)/bin/skelaug data info runs/demo.npz
	mpirun --oversubscribe -np $(RANKS) $(BUILD_DIR)/bin/skelaug doctor --config configs/demo.yaml
	mpirun --oversubscribe -np $(RANKS) $(BUILD_DIR)/bin/skelaug train generator --config configs/demo.yaml run.dir=$(DEMO_RUN)
	$(BUILD_DIR)/bin/skelaug sample --config $(DEMO_RUN)/config.yaml --per-class 5 -o $(DEMO_RUN)/generated.npz \
	  --checkpoint $$(ls $(DEMO_RUN)/checkpoints/*.pt | tail -n 1) sample.ddim_steps=50
	$(BUILD_DIR)/bin/skelaug data info $(DEMO_RUN)/generated.npz
	mpirun --oversubscribe -np $(RANKS) $(BUILD_DIR)/bin/skelaug train recognizer --config configs/demo_a2m.yaml \
	  run.dir=$(DEMO_RUN)-a2m
	$(BUILD_DIR)/bin/skelaug evaluate --config $(DEMO_RUN)-a2m/config.yaml --real runs/demo.npz \
	  --generated $(DEMO_RUN)/generated.npz --checkpoint $$(ls $(DEMO_RUN)-a2m/best/*.pt | tail -n 1) \
	  -o $(DEMO_RUN)/evaluation.json

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
