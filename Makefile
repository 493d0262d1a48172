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

# The demo grows with the project: the built-in dataset, its summary, then the distributed world check.
demo: build
	mkdir -p runs
	$(BUILD_DIR)/bin/skelaug data demo -o runs/demo.npz
	$(BUILD_DIR)/bin/skelaug data info runs/demo.npz
	mpirun --oversubscribe -np $(RANKS) $(BUILD_DIR)/bin/skelaug doctor --config configs/demo.yaml

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
