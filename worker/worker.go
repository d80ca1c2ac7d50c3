// Package worker registers CHATSPOT's workflows and activities on their
// task queues and runs them.
package worker

import (
	"os"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/ai"
	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/kinds"
	"github.com/chatspot/chatspot/internal/egress"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/inbox"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
	"github.com/chatspot/chatspot/workflows"
)

// Deps are what the activities need.
type Deps struct {
	DB       *gorm.DB
	Bus      events.Bus         // wakes agents' streams after writes
	Channels *channels.Registry // nil: kinds.Registry with AllowPrivateURLs
	// PublicURL is the app's URL when providers can reach it (channels.Env);
	// "" on a laptop: activation then long-polls where the kind can.
	PublicURL string
	Temporal  client.Client // activities that drive other workflows (distribution assigns)
	AI        *ai.Assistant // nil: AI Assist answers "not configured"
	AICap     int           // AI Assist requests per account per month; 0: no cap
	Secrets   *secrets.Box  // opens stored credentials; nil: sealed ones cannot be used
	// AllowPrivateURLs lets deliveries to customers' URLs reach loopback
	// and private addresses (dev, tests); off, they are refused on dial.
	AllowPrivateURLs bool
	// TaskQueue is the queue conversation workflows run on ("" is
	// workflows.TaskQueue), for the workflows the sweeper starts.
	TaskQueue string
	// EventRetention is how long the agents' event log keeps events;
	// zero: activities.DefaultEventRetention.
	EventRetention time.Duration
	// ConnectionQueue is this worker's own task queue, where the sends of
	// the channels whose connection it holds run (a WhatsApp session);
	// "": New makes one up, and Register leaves such channels to a worker
	// that has one.
	ConnectionQueue string
	// Pix is CHATSPOT's payment provider for recharges by Pix; nil:
	// recharges fail saying none is configured.
	Pix billing.PixProvider
}

// Channels returns the registry of every built channel kind with the
// providers' default URLs.
func Channels(allowPrivateURLs bool) *channels.Registry {
	return kinds.Registry(kinds.Config{AllowPrivateURLs: allowPrivateURLs})
}

// StickyScheduleToStartTimeout is how long a workflow task waits on its
// worker's own (sticky) queue before the server moves it to the shared
// queue, where any worker takes it and replays the whole history. The
// SDK's 5 s is shorter than the backlog of a busy burst: the tasks of all
// busy tickets then time out together and the drain stalled for about 7 s
// with the CPU idle (make bench, 500 msg/s: 2500 messages in 14-15 s
// instead of 7-10 s). A dead worker's queue is still left sooner: the
// server stops routing to a sticky queue nobody polled for 10 s, so only
// the tasks already queued there wait this long.
const StickyScheduleToStartTimeout = 30 * time.Second

// Options fills in CHATSPOT's defaults for what opts leaves unset.
func Options(opts sdkworker.Options) sdkworker.Options {
	if opts.StickyScheduleToStartTimeout == 0 {
		opts.StickyScheduleToStartTimeout = StickyScheduleToStartTimeout
	}
	return opts
}

// New returns a worker for the main task queue with every workflow and
// activity registered, and for this process's own connection queue. Start
// it with Start and stop it with Stop, which waits for running activities
// up to the stop timeout.
func New(c client.Client, deps Deps, opts sdkworker.Options) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, Options(opts))
	if deps.Temporal == nil {
		deps.Temporal = c
	}
	if deps.ConnectionQueue == "" {
		deps.ConnectionQueue = ConnectionQueueName()
	}
	conn := sdkworker.New(c, deps.ConnectionQueue, Options(opts))
	RegisterWithConnection(w, conn, deps)
	return &pair{Worker: w, conn: conn}
}

// ConnectionQueueName is a task queue of this process's own.
func ConnectionQueueName() string {
	host, _ := os.Hostname()
	return "chatspot-connection/" + host + "/" + uuid.NewString()[:8]
}

// pair runs the main worker and the connection queue's together.
type pair struct {
	sdkworker.Worker
	conn sdkworker.Worker
}

func (p *pair) Start() error {
	if err := p.conn.Start(); err != nil {
		return err
	}
	if err := p.Worker.Start(); err != nil {
		p.conn.Stop()
		return err
	}
	return nil
}

func (p *pair) Run(interruptCh <-chan interface{}) error {
	if err := p.conn.Start(); err != nil {
		return err
	}
	defer p.conn.Stop()
	return p.Worker.Run(interruptCh)
}

func (p *pair) Stop() {
	p.Worker.Stop()
	p.conn.Stop()
}

// Register adds every workflow and activity to a registry; tests use it
// with their own workers. Without a connection queue, channels whose sends
// need their connection are held by no worker of this registry.
func Register(r sdkworker.Registry, deps Deps) {
	RegisterWithConnection(r, nil, deps)
}

// RegisterWithConnection registers every workflow and activity on r, and
// on conn (the worker of deps.ConnectionQueue) the activities that need a
// live connection: sends and file downloads.
func RegisterWithConnection(r, conn sdkworker.Registry, deps Deps) {
	r.RegisterWorkflow(workflows.Conversation)
	r.RegisterWorkflow(workflows.Distribution)
	r.RegisterWorkflow(workflows.Card)
	r.RegisterWorkflow(workflows.ScheduledMessage)
	r.RegisterWorkflow(workflows.WebhookEndpoint)
	r.RegisterWorkflow(workflows.WebhookDelivery)
	r.RegisterWorkflow(workflows.ScheduledRule)
	r.RegisterWorkflow(workflows.EventRetention)
	r.RegisterWorkflow(workflows.ChannelActivation)
	r.RegisterWorkflow(workflows.ChannelConnection)
	r.RegisterWorkflow(workflows.InboundMedia)
	r.RegisterWorkflow(workflows.ResourceFetch)
	r.RegisterWorkflow(workflows.InboundSweep)
	r.RegisterWorkflow(workflows.MarkRead)
	r.RegisterWorkflow(workflows.ModerateComment)
	r.RegisterWorkflow(workflows.TokenRefresh)
	r.RegisterWorkflow(workflows.ChannelOAuth)
	r.RegisterWorkflow(workflows.TemplateSync)
	r.RegisterWorkflow(workflows.TemplateSubmit)
	r.RegisterWorkflow(workflows.Recharge)
	cache := &rules.Cache{}
	noRules := &activities.NoRules{}
	r.RegisterActivity(&activities.Distribution{DB: deps.DB, Temporal: deps.Temporal, Rules: cache})
	r.RegisterActivity(&activities.Automation{DB: deps.DB, Rules: cache, Temporal: deps.Temporal, HTTP: egress.Client(15*time.Second, deps.AllowPrivateURLs), NoRules: noRules})
	r.RegisterActivity(&activities.CRM{DB: deps.DB, Bus: deps.Bus, Temporal: deps.Temporal, Rules: cache})
	r.RegisterActivity(&activities.Webhooks{DB: deps.DB, Secrets: deps.Secrets, HTTP: egress.Client(10*time.Second, deps.AllowPrivateURLs)})
	r.RegisterActivity(&activities.Assist{DB: deps.DB, AI: deps.AI, MonthlyCap: deps.AICap})
	r.RegisterActivity(&activities.Retention{DB: deps.DB, Keep: deps.EventRetention})
	if deps.Channels == nil {
		deps.Channels = Channels(deps.AllowPrivateURLs)
	}
	convs := &activities.Conversations{DB: deps.DB, Bus: deps.Bus, Channels: deps.Channels, Secrets: deps.Secrets, Temporal: deps.Temporal, NoRules: noRules,
		PublicURL: deps.PublicURL}
	r.RegisterActivity(convs)
	kit := &activities.ChannelKit{DB: deps.DB, Bus: deps.Bus, Channels: deps.Channels, Secrets: deps.Secrets, PublicURL: deps.PublicURL}
	r.RegisterActivity(kit)
	r.RegisterActivity(&activities.Billing{DB: deps.DB, Pix: deps.Pix, Channels: deps.Channels, PublicURL: deps.PublicURL})
	if conn != nil {
		conn.RegisterActivity(convs)
		conn.RegisterActivity(kit)
	}
	ib := &inbox.Inbox{DB: deps.DB, Temporal: deps.Temporal, Bus: deps.Bus, TaskQueue: deps.TaskQueue}
	env := func(ch store.Channel) channels.Env { return activities.ChannelEnv(deps.PublicURL, ch) }
	conns := &inbox.Connections{Inbox: ib, Channels: deps.Channels, Secrets: deps.Secrets, Env: env, Queue: deps.ConnectionQueue}
	r.RegisterActivityWithOptions(conns.RunConnection, activity.RegisterOptions{Name: workflows.RunConnectionActivity})
	r.RegisterActivityWithOptions(conns.FetchResource, activity.RegisterOptions{Name: workflows.FetchResourceActivity})
	r.RegisterActivityWithOptions(ib.SweepInbound, activity.RegisterOptions{Name: workflows.SweepInboundActivity})
}
