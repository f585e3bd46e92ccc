// SPDX-License-Identifier: GPL-2.0
/*
 * The character devices in /dev/etherd, made as aoe.ko makes them (aoechr.c): char major 152,
 * minors 2-6, class "aoe". So aoetools' udev rules (SUBSYSTEM=="aoe": group disk, modes, the
 * aoe-discover service) apply, and the nodes aoe-mkdevs makes without udev open these. What the
 * nodes do is Rust's (control.rs).
 */
#include <linux/build_bug.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "aoechr.h"

/* aoe.ko's AOE_MAJOR (aoe.h); its block major is the same number. */
#define RAOE_CHR_MAJOR 152

static const char *const raoe_chr_names[RAOE_CHR_NODES] = {
	"err", "discover", "interfaces", "revalidate", "flush",
};

/* Set by raoe_chr_register(); used by open files only. */
static struct raoe_chr_handler raoe_chr_handler;

/*
 * The open files, counted so that raoe_chr_unregister() returns only once none is left: an open
 * racing with the unregistration is refused once `closing` is set, under the same lock.
 */
static DEFINE_SPINLOCK(raoe_chr_lock);
static unsigned int raoe_chr_users;
static bool raoe_chr_closing;
static DECLARE_WAIT_QUEUE_HEAD(raoe_chr_all_closed);

static int raoe_chr_open(struct inode *inode, struct file *file)
{
	unsigned int minor = iminor(inode);
	int err = 0;

	/* As aoe.ko: a node of this major with another minor cannot be opened. */
	if (minor < RAOE_CHR_FIRST_MINOR || minor >= RAOE_CHR_FIRST_MINOR + RAOE_CHR_NODES)
		return -EINVAL;
	spin_lock(&raoe_chr_lock);
	if (raoe_chr_closing)
		err = -ENODEV;
	else
		raoe_chr_users++;
	spin_unlock(&raoe_chr_lock);
	file->private_data = (void *)(uintptr_t)(minor - RAOE_CHR_FIRST_MINOR);
	return err;
}

static int raoe_chr_release(struct inode *inode, struct file *file)
{
	bool last;

	spin_lock(&raoe_chr_lock);
	last = --raoe_chr_users == 0;
	spin_unlock(&raoe_chr_lock);
	if (last)
		wake_up(&raoe_chr_all_closed);
	return 0;
}

static bool raoe_chr_unused(void)
{
	bool unused;

	spin_lock(&raoe_chr_lock);
	unused = raoe_chr_users == 0;
	spin_unlock(&raoe_chr_lock);
	return unused;
}

/* After the major is gone: refuses the opens still racing, waits for the open files. */
static void raoe_chr_close_all(void)
{
	spin_lock(&raoe_chr_lock);
	raoe_chr_closing = true;
	spin_unlock(&raoe_chr_lock);
	/* At module exit no file is open: each pins the module (fops.owner). */
	wait_event(raoe_chr_all_closed, raoe_chr_unused());
}

static ssize_t raoe_chr_write(struct file *file, const char __user *buf, size_t count,
			      loff_t *pos)
{
	unsigned int node = (uintptr_t)file->private_data;
	u8 *data;
	int ret;

	if (count > RAOE_CHR_MAX_WRITE)
		return -EINVAL;
	data = memdup_user(buf, count);
	if (IS_ERR(data))
		return PTR_ERR(data);
	ret = raoe_chr_handler.write(raoe_chr_handler.ctx, node, data, count);
	kfree(data);
	return ret ? ret : count;
}

static ssize_t raoe_chr_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	unsigned int node = (uintptr_t)file->private_data;
	u8 data[RAOE_CHR_MAX_READ];
	ssize_t len;

	len = raoe_chr_handler.read(raoe_chr_handler.ctx, node, data, min(count, sizeof(data)),
				    file->f_flags & O_NONBLOCK);
	if (len > 0 && copy_to_user(buf, data, len))
		return -EFAULT;
	return len;
}

static const struct file_operations raoe_chr_fops = {
	.owner = THIS_MODULE,
	.open = raoe_chr_open,
	.read = raoe_chr_read,
	.write = raoe_chr_write,
	.release = raoe_chr_release,
	.llseek = noop_llseek,
};

static char *raoe_chr_devnode(const struct device *dev, umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "etherd/%s", dev_name(dev));
}

static const struct class raoe_chr_class = {
	.name = "aoe",
	.devnode = raoe_chr_devnode,
};

static void raoe_chr_remove_nodes(unsigned int count)
{
	while (count--)
		device_destroy(&raoe_chr_class, MKDEV(RAOE_CHR_MAJOR, RAOE_CHR_FIRST_MINOR + count));
}

/* One registration at a time: a second must not replace the handler of the first. */
static DEFINE_MUTEX(raoe_chr_registration);
static bool raoe_chr_registered;

int raoe_chr_register(const struct raoe_chr_handler *handler)
{
	unsigned int i;
	int err;

	mutex_lock(&raoe_chr_registration);
	if (raoe_chr_registered) {
		mutex_unlock(&raoe_chr_registration);
		return -EBUSY;
	}
	raoe_chr_handler = *handler;
	raoe_chr_closing = false;
	err = register_chrdev(RAOE_CHR_MAJOR, "aoechr", &raoe_chr_fops);
	if (err < 0)
		goto unlock;
	err = class_register(&raoe_chr_class);
	if (err)
		goto unregister_major;
	for (i = 0; i < RAOE_CHR_NODES; i++) {
		struct device *dev = device_create(&raoe_chr_class, NULL,
						   MKDEV(RAOE_CHR_MAJOR, RAOE_CHR_FIRST_MINOR + i),
						   NULL, "%s", raoe_chr_names[i]);

		if (IS_ERR(dev)) {
			err = PTR_ERR(dev);
			raoe_chr_remove_nodes(i);
			goto unregister_class;
		}
	}
	raoe_chr_registered = true;
	mutex_unlock(&raoe_chr_registration);
	return 0;

unregister_class:
	class_unregister(&raoe_chr_class);
unregister_major:
	unregister_chrdev(RAOE_CHR_MAJOR, "aoechr");
	raoe_chr_close_all();
unlock:
	mutex_unlock(&raoe_chr_registration);
	return err;
}

void raoe_chr_unregister(void)
{
	raoe_chr_remove_nodes(RAOE_CHR_NODES);
	class_unregister(&raoe_chr_class);
	unregister_chrdev(RAOE_CHR_MAJOR, "aoechr");
	raoe_chr_close_all();
	mutex_lock(&raoe_chr_registration);
	raoe_chr_registered = false;
	mutex_unlock(&raoe_chr_registration);
}
